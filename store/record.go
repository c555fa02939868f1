package store

import "time"

// Material types a record can have. The list is short on purpose: it is a
// facet patrons click, not a cataloguing standard.
const (
	MaterialBook     = "book"
	MaterialMagazine = "magazine"
	MaterialEbook    = "ebook"
	MaterialAudio    = "audio"
	MaterialVideo    = "video"
	MaterialScore    = "score"
	MaterialMap      = "map"
	MaterialOther    = "other"
)

// Author roles, in the words Japanese catalogues use.
const (
	RoleAuthor      = "著"
	RoleTranslator  = "訳"
	RoleEditor      = "編"
	RoleIllustrator = "絵"
	RoleOther       = "他"
)

// Author is one person or body responsible for a record.
type Author struct {
	Name string `json:"name"`
	// Yomi is the reading in katakana, e.g. "ナツメ ソウセキ".
	Yomi string `json:"yomi,omitempty"`
	Role string `json:"role,omitempty"`
}

// Record is a bibliographic record: one title, whatever number of copies.
type Record struct {
	ID int64
	// Source says where the record came from, e.g. "aozora:000148" or
	// "marc:JTNDL:029455884"; an import with the same source updates
	// instead of adding.
	Source        string
	Title         string
	TitleYomi     string // katakana
	Subtitle      string
	SubtitleYomi  string
	Authors       []Author
	Publisher     string
	PublisherYomi string
	Year          int // 0 when unknown
	NDC           string
	ISBN          string // ISBN-13 without hyphens, "" when none
	MaterialType  string
	Series        string
	SeriesYomi    string
	Volume        string
	Subjects      []string
	Description   string
	Language      string // ISO 639-2, e.g. "jpn"
	// YomiGenerated marks readings made by a morphological analyser, not
	// by a cataloguer: they can be wrong for names.
	YomiGenerated bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
