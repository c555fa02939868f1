package library

import "testing"

func TestRomajiToKana(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"natsume souseki":      "ナツメ ソウセキ",
		"kokoro":               "ココロ",
		"Ginga tetsudou":       "ギンガ テツドウ",
		"shinkansen":           "シンカンセン",
		"gakkou":               "ガッコウ",
		"kin'yobi":             "キンヨビ",
		"tanizaki jun'ichirou": "タニザキ ジュンイチロウ",
		"":                     "",
		"hello!":               "",
		"東京":                   "",
		"xyz":                  "",
	}
	for in, want := range tests {
		if got := RomajiToKana(in); got != want {
			t.Errorf("RomajiToKana(%q) = %q, want %q", in, got, want)
		}
	}
}
