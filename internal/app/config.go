// Package app is Hondana's composition root: from a Config it builds the
// store, the search index, the services, the mail sender, the scheduler
// and the web server, runs the background loops, and shuts them down in
// order. The commands, the tests and the benches all build through it.
package app

import (
	"fmt"
	"hondana/barcode"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"hondana/importer"
	"hondana/library"
	"hondana/store"
)

// Config is everything the binary can be told, from the config file, the
// environment (HONDANA_DATA_DIR, HONDANA_POLICY_LOAN_DAYS …) and flags.
type Config struct {
	Addr      string `mapstructure:"addr"`
	DataDir   string `mapstructure:"data_dir"`
	Timezone  string `mapstructure:"timezone"`
	BaseURL   string `mapstructure:"base_url"`
	Pepper    string `mapstructure:"pepper"`
	LogLevel  string `mapstructure:"log_level"`
	Demo      bool   `mapstructure:"demo"`
	TestClock bool   `mapstructure:"test_clock"`

	Library  LibraryConfig  `mapstructure:"library"`
	Branches []BranchConfig `mapstructure:"branches"`
	Calendar CalendarConfig `mapstructure:"calendar"`
	Catalog  CatalogConfig  `mapstructure:"catalog"`
	Accounts AccountsConfig `mapstructure:"accounts"`
	Loans    LoansConfig    `mapstructure:"loans"`
	Mail     MailConfig     `mapstructure:"mail"`
	Counter  CounterConfig  `mapstructure:"counter"`
	Web      WebConfig      `mapstructure:"web"`
	Import   ImportConfig   `mapstructure:"import"`
	Backup   BackupConfig   `mapstructure:"backup"`
	TLS      TLSConfig      `mapstructure:"tls"`
	Metrics  MetricsConfig  `mapstructure:"metrics"`
}

// MailConfig is how notices reach patrons: the SMTP server, the sender,
// and the notice rules.
type MailConfig struct {
	SMTPHost     string        `mapstructure:"smtp_host"`
	SMTPPort     int           `mapstructure:"smtp_port"`
	SMTPTLS      string        `mapstructure:"smtp_tls"`
	SMTPUsername string        `mapstructure:"smtp_username"`
	SMTPPassword string        `mapstructure:"smtp_password"`
	SMTPAuth     string        `mapstructure:"smtp_auth"`
	SMTPTimeout  time.Duration `mapstructure:"smtp_timeout"`
	SMTPCAFile   string        `mapstructure:"smtp_ca_file"`
	From         string        `mapstructure:"from"`
	FromName     string        `mapstructure:"from_name"`
	MailboxDir   string        `mapstructure:"mailbox_dir"`

	PickupReminderOpenDays int           `mapstructure:"pickup_reminder_open_days"`
	DueReminderDays        int           `mapstructure:"due_reminder_days"`
	OverdueNotices         int           `mapstructure:"overdue_notices"`
	OverdueEveryDays       int           `mapstructure:"overdue_every_days"`
	RetryMin               time.Duration `mapstructure:"retry_min"`
	RetryMax               time.Duration `mapstructure:"retry_max"`
	GiveUpAfter            time.Duration `mapstructure:"give_up_after"`
	Keep                   time.Duration `mapstructure:"keep"`
}

// LoansConfig holds the numbers of loans and holds, and the loan rules
// by patron category and material type (R54).
type LoansConfig struct {
	LoanDays         int              `mapstructure:"loan_days"`
	LoanLimit        int              `mapstructure:"loan_limit"`
	HoldLimit        int              `mapstructure:"hold_limit"`
	PickupDays       int              `mapstructure:"pickup_days"`
	OverdueBlockDays int              `mapstructure:"overdue_block_days"`
	Categories       []CategoryConfig `mapstructure:"categories"`
	Rules            []RuleConfig     `mapstructure:"rules"`
}

// CategoryConfig is a patron category of the loan rules.
type CategoryConfig struct {
	Code   string `mapstructure:"code"`
	Name   string `mapstructure:"name"`
	NameEn string `mapstructure:"name_en"`
}

// RuleConfig is a row of the loan rule table: a category ("*": all) and
// a material type ("*": all), and the terms it sets; a term left out
// comes from a wider row.
type RuleConfig struct {
	Category      string `mapstructure:"category"`
	MaterialType  string `mapstructure:"material_type"`
	LoanDays      *int   `mapstructure:"loan_days"`
	MaxLoans      *int   `mapstructure:"max_loans"`
	MaxHolds      *int   `mapstructure:"max_holds"`
	Renewable     *bool  `mapstructure:"renewable"`
	Holdable      *bool  `mapstructure:"holdable"`
	ReferenceOnly *bool  `mapstructure:"reference_only"`
}

// AccountsConfig holds the rules of logins and sessions.
type AccountsConfig struct {
	TempPasswordDelay time.Duration `mapstructure:"temp_password_delay"`
	TempPasswordTries int           `mapstructure:"temp_password_tries"`
	TempPasswordTTL   time.Duration `mapstructure:"temp_password_ttl"`
	SessionIdle       time.Duration `mapstructure:"session_idle"`
	KioskIdle         time.Duration `mapstructure:"kiosk_idle"`
	SessionMax        time.Duration `mapstructure:"session_max"`
	AddressFailures   int           `mapstructure:"address_failures"`
	AddressWindow     time.Duration `mapstructure:"address_window"`
	AddressDelay      time.Duration `mapstructure:"address_delay"`
	SharedTerminals   []string      `mapstructure:"shared_terminals"`
	HashConcurrency   int           `mapstructure:"hash_concurrency"`
	// CardBarcode is the symbology of the card barcode patrons show on
	// their phones: "codabar" (NW-7) or "code39", what the scanners read.
	CardBarcode string `mapstructure:"card_barcode"`
	// CardValidYears: a new or renewed card expires that many years on
	// (0: cards do not expire).
	CardValidYears int `mapstructure:"card_valid_years"`
}

// LibraryConfig names the library.
type LibraryConfig struct {
	Name       string `mapstructure:"name"`
	NameEn     string `mapstructure:"name_en"`
	MailDomain string `mapstructure:"mail_domain"`
}

// BranchConfig is one branch: identity and regular hours.
type BranchConfig struct {
	Code          string   `mapstructure:"code"`
	Name          string   `mapstructure:"name"`
	NameEn        string   `mapstructure:"name_en"`
	Address       string   `mapstructure:"address"`
	Phone         string   `mapstructure:"phone"`
	Fax           string   `mapstructure:"fax"`
	ClosedDays    []string `mapstructure:"closed_days"`
	WeekdayOpens  string   `mapstructure:"weekday_opens"`
	WeekdayCloses string   `mapstructure:"weekday_closes"`
	WeekendOpens  string   `mapstructure:"weekend_opens"`
	WeekendCloses string   `mapstructure:"weekend_closes"`
}

// CalendarConfig holds the closures every branch shares.
type CalendarConfig struct {
	ClosedOnHolidays bool   `mapstructure:"closed_on_holidays"`
	MonthEndCleaning bool   `mapstructure:"month_end_cleaning"`
	NewYearFrom      string `mapstructure:"new_year_from"`
	NewYearTo        string `mapstructure:"new_year_to"`
}

// CatalogConfig tunes the public catalogue.
type CatalogConfig struct {
	NewArrivalsDays int `mapstructure:"new_arrivals_days"`
}

// ImportConfig bounds what one catalogue file may make an import read
// and store (see importer.Limits).
type ImportConfig struct {
	MaxBytes  int64 `mapstructure:"max_bytes"`  // the file decompressed
	MaxRatio  int64 `mapstructure:"max_ratio"`  // decompressed per compressed byte
	MaxRecord int   `mapstructure:"max_record"` // one CSV/TSV row or MARCXML record
	MaxField  int   `mapstructure:"max_field"`  // one field of a record
}

// ImportLimits are the import's limits.
func (c Config) ImportLimits() importer.Limits {
	i := c.Import
	return importer.Limits{MaxBytes: i.MaxBytes, MaxRatio: i.MaxRatio, MaxRecord: i.MaxRecord, MaxField: i.MaxField}
}

// CounterConfig tunes the staff counter.
type CounterConfig struct {
	// BarcodePatterns are regular expressions an item barcode matches
	// (any one); a card is nine digits.
	BarcodePatterns []string `mapstructure:"barcode_patterns"`
}

// WebConfig tunes the web server.
type WebConfig struct {
	SecureCookies   bool          `mapstructure:"secure_cookies"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
	TrustedProxies  []string      `mapstructure:"trusted_proxies"`
}

// Default is the configuration of a start with no file: the demo city's
// four libraries and the rules of the seed.
func Default() Config {
	return Config{
		Addr:     "localhost:8080",
		DataDir:  "./data",
		Timezone: "Asia/Tokyo",
		BaseURL:  "",
		LogLevel: "info",
		Library: LibraryConfig{
			Name:       "大洲市立図書館",
			NameEn:     "Ozu City Library",
			MailDomain: "library.city.ozu.example.jp",
		},
		Branches: []BranchConfig{
			{Code: "ozu", Name: "大洲図書館", NameEn: "Ozu Library", Address: "〒795-0065 愛媛県大洲市東若宮17番地5", Phone: "0893-59-4111", Fax: "0893-59-4123",
				ClosedDays: []string{"mon"}, WeekdayOpens: "09:00", WeekdayCloses: "19:00", WeekendOpens: "09:00", WeekendCloses: "17:00"},
			{Code: "nagahama", Name: "長浜図書館", NameEn: "Nagahama Library", Address: "愛媛県大洲市長浜甲488", Phone: "0893-52-1233",
				ClosedDays: []string{"mon"}, WeekdayOpens: "09:00", WeekdayCloses: "18:00", WeekendOpens: "09:00", WeekendCloses: "17:00"},
			{Code: "hijikawa", Name: "肱川図書館", NameEn: "Hijikawa Library", Address: "愛媛県大洲市肱川町山鳥坂33-1", Phone: "0893-34-2011",
				ClosedDays: []string{"mon", "tue"}, WeekdayOpens: "09:30", WeekdayCloses: "17:30", WeekendOpens: "09:30", WeekendCloses: "17:00"},
			{Code: "kawabe", Name: "河辺図書館", NameEn: "Kawabe Library", Address: "愛媛県大洲市河辺町植松1144", Phone: "0893-39-2111",
				ClosedDays: []string{"mon", "thu"}, WeekdayOpens: "10:00", WeekdayCloses: "17:00", WeekendOpens: "10:00", WeekendCloses: "16:00"},
		},
		Calendar: CalendarConfig{ClosedOnHolidays: true, MonthEndCleaning: true, NewYearFrom: "12-29", NewYearTo: "01-03"},
		Catalog:  CatalogConfig{NewArrivalsDays: 30},
		Loans:    LoansConfig{LoanDays: 14, LoanLimit: 10, HoldLimit: 10, PickupDays: 7, Categories: defaultCategories()},
		Mail: MailConfig{SMTPPort: 587, SMTPTLS: "starttls", SMTPAuth: "PLAIN", SMTPTimeout: 30 * time.Second,
			PickupReminderOpenDays: 2, DueReminderDays: 2, OverdueNotices: 3, OverdueEveryDays: 7,
			RetryMin: time.Minute, RetryMax: time.Hour, GiveUpAfter: 24 * time.Hour, Keep: 7 * 24 * time.Hour},
		Accounts: AccountsConfig{TempPasswordDelay: 30 * time.Minute, TempPasswordTries: 5, TempPasswordTTL: 14 * 24 * time.Hour, CardBarcode: barcode.Codabar,
			SessionIdle: 30 * time.Minute, KioskIdle: 2 * time.Minute, SessionMax: 12 * time.Hour,
			AddressFailures: 30, AddressWindow: 10 * time.Minute, AddressDelay: time.Second, HashConcurrency: 2},
		Counter: CounterConfig{BarcodePatterns: library.DefaultBarcodePatterns()},
		Web:     WebConfig{ShutdownTimeout: 10 * time.Second},
		Import:  ImportConfig{MaxBytes: 4 << 30, MaxRatio: 100, MaxRecord: 1 << 20, MaxField: 64 << 10},
		Backup:  BackupConfig{Keep: 7, Compress: true},
		TLS:     TLSConfig{HTTPAddr: ":80", HSTS: 365 * 24 * time.Hour},
		Metrics: MetricsConfig{Allow: []string{"127.0.0.1", "::1"}},
	}
}

// CalendarRules are the closures and opening hours of the config.
func (c Config) CalendarRules() (library.CalendarRules, error) {
	rules := library.CalendarRules{
		ClosedOnHolidays: c.Calendar.ClosedOnHolidays,
		MonthEndCleaning: c.Calendar.MonthEndCleaning,
		NewYearFrom:      c.Calendar.NewYearFrom,
		NewYearTo:        c.Calendar.NewYearTo,
		Branches:         map[string]library.BranchCalendar{},
	}
	for _, b := range c.Branches {
		closed, err := library.ParseWeekdays(b.ClosedDays)
		if err != nil {
			return rules, fmt.Errorf("config: branch %s: %w", b.Code, err)
		}
		rules.Branches[b.Code] = library.BranchCalendar{
			ClosedWeekdays: closed,
			Weekday:        library.Hours{Opens: b.WeekdayOpens, Closes: b.WeekdayCloses},
			Weekend:        library.Hours{Opens: b.WeekendOpens, Closes: b.WeekendCloses},
		}
	}
	return rules, nil
}

// AccountPolicy is the rules of logins and sessions.
func (c Config) AccountPolicy() (library.AccountPolicy, error) {
	a := c.Accounts
	shared, err := Prefixes("accounts.shared_terminals", a.SharedTerminals)
	if err == nil {
		err = CheckCardBarcode(a.CardBarcode)
	}
	if err == nil && (a.CardValidYears < 0 || a.CardValidYears > 100) {
		err = fmt.Errorf("config: accounts.card_valid_years: %d is not a number of years from 0 (no expiry) to 100", a.CardValidYears)
	}
	return library.AccountPolicy{
		TempPasswordDelay: a.TempPasswordDelay, TempPasswordTries: a.TempPasswordTries, TempPasswordTTL: a.TempPasswordTTL,
		SessionIdle: a.SessionIdle, KioskIdle: a.KioskIdle, SessionMax: a.SessionMax,
		AddressFailures: a.AddressFailures, AddressWindow: a.AddressWindow, AddressDelay: a.AddressDelay,
		SharedTerminals: shared, HashConcurrency: a.HashConcurrency, CardValidYears: a.CardValidYears,
	}, err
}

// CheckCardBarcode refuses a symbology the card page cannot draw.
func CheckCardBarcode(v string) error {
	switch v {
	case "", barcode.Codabar, barcode.Code39:
		return nil
	}
	return fmt.Errorf("config: accounts.card_barcode: %q is neither %q nor %q", v, barcode.Codabar, barcode.Code39)
}

// Prefixes reads the addresses and CIDR blocks of the config key key
// ("192.0.2.10", "10.1.0.0/16", "2001:db8::/48").
func Prefixes(key string, list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		p, err := netip.ParsePrefix(s)
		if err != nil {
			ip, err2 := netip.ParseAddr(s)
			if err2 != nil {
				return nil, fmt.Errorf("config: %s: %q is neither an address nor a CIDR block", key, s)
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// TrustedProxies is the proxies whose X-Forwarded-For or Forwarded
// header names the client, as CIDR blocks.
func (c Config) TrustedProxies() ([]string, error) {
	ps, err := Prefixes("web.trusted_proxies", c.Web.TrustedProxies)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out, err
}

// ScanForms are the forms of item barcodes the counter's scan box
// tells from cards (nine digits).
func (c Config) ScanForms() (library.ScanForms, error) {
	f, err := library.NewScanForms(c.Counter.BarcodePatterns)
	if err != nil {
		return f, fmt.Errorf("config: counter.barcode_patterns: %w", err)
	}
	return f, nil
}

// LoanPolicy is the numbers of loans and holds.
func (c Config) LoanPolicy() library.LoanPolicy {
	l := c.Loans
	return library.LoanPolicy{LoanDays: l.LoanDays, LoanLimit: l.LoanLimit, HoldLimit: l.HoldLimit, PickupDays: l.PickupDays,
		OverdueBlockDays: l.OverdueBlockDays}
}

func defaultCategories() []CategoryConfig {
	var out []CategoryConfig
	for _, k := range library.DefaultCategories() {
		out = append(out, CategoryConfig{Code: k.Code, Name: k.Name, NameEn: k.NameEn})
	}
	return out
}

// LoanRules are the patron categories and the rows of the loan rule
// table, checked: a row naming a category or material type there is
// not, or given twice, stops the start with the row's number.
func (c Config) LoanRules() ([]library.Category, []library.LoanRule, error) {
	var cats []library.Category
	for _, k := range c.Loans.Categories {
		if k.Code == "" || k.Code == library.Any {
			return nil, nil, fmt.Errorf("config: loans.categories: a category needs a code (not %q)", k.Code)
		}
		cats = append(cats, library.Category{Code: k.Code, Name: k.Name, NameEn: k.NameEn})
	}
	if len(cats) == 0 {
		cats = library.DefaultCategories()
	}
	var rules []library.LoanRule
	for _, r := range c.Loans.Rules {
		rules = append(rules, library.LoanRule{Category: r.Category, MaterialType: r.MaterialType, LoanDays: r.LoanDays,
			MaxLoans: r.MaxLoans, MaxHolds: r.MaxHolds, Renewable: r.Renewable, Holdable: r.Holdable, ReferenceOnly: r.ReferenceOnly})
	}
	if err := (library.RuleTable{Rules: rules}).Check(cats, store.MaterialTypes); err != nil {
		return nil, nil, fmt.Errorf("config: loans.rules: %w", err)
	}
	return cats, rules, nil
}

// MailPolicy is the notice rules.
func (c Config) MailPolicy() library.MailPolicy {
	m := c.Mail
	return library.MailPolicy{PickupReminderOpenDays: m.PickupReminderOpenDays, DueReminderDays: m.DueReminderDays,
		OverdueNotices: m.OverdueNotices, OverdueEveryDays: m.OverdueEveryDays, RetryMin: m.RetryMin, RetryMax: m.RetryMax,
		GiveUpAfter: m.GiveUpAfter, Keep: m.Keep}
}

// BranchList is the configured branches, in display order.
func (c Config) BranchList() []store.Branch {
	out := make([]store.Branch, 0, len(c.Branches))
	for i, b := range c.Branches {
		out = append(out, store.Branch{Code: b.Code, Name: b.Name, NameEn: b.NameEn, Address: b.Address, Phone: b.Phone, Fax: b.Fax, SortOrder: i})
	}
	return out
}

// MailboxDir is where messages go when no SMTP server is configured.
func (c Config) MailboxDir() string {
	if c.Mail.MailboxDir != "" {
		return c.Mail.MailboxDir
	}
	return filepath.Join(c.DataDir, "mailbox")
}
