package yomi

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// Kana-only and Latin text must be read without the dictionary.
	for _, s := range []string{"こころ", "ｿｳｾｷ", "たけくらべ", "Harry Potter", ""} {
		Reading(s)
	}
	if loaded() {
		fmt.Fprintln(os.Stderr, "yomi: dictionary loaded for text without kanji")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func TestNeedsReading(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"吾輩は猫である", true},
		{"佐々木", true},
		{"こころ", false},
		{"ハリー・ポッター", false},
		{"1Q84", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := NeedsReading(tt.in); got != tt.want {
			t.Errorf("NeedsReading(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestReading(t *testing.T) {
	tests := []struct {
		in, want string // want compared without spaces
	}{
		{"こころ", "ココロ"},
		{"ｿｳｾｷ", "ソウセキ"},
		{"たけくらべ", "タケクラベ"},
		{"Harry Potter", "HarryPotter"},
		{"吾輩は猫である", "ワガハイワネコデアル"},
		{"銀河鉄道の夜", "ギンガテツドウノヨル"},
		{"注文の多い料理店", "チュウモンノオオイリョウリテン"},
		{"走れメロス", "ハシレメロス"},
		{"人間失格", "ニンゲンシッカク"},
		{"これからの正義の話をしよう", "コレカラノセイギノハナシオシヨウ"},
		{"ハリー・ポッターと賢者の石", "ハリーポッタートケンジャノイシ"},
		{"夏目漱石", "ナツメソウセキ"},
		{"羅生門", "ラショウモン"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Reading(tt.in)
			if strings.ReplaceAll(got, " ", "") != tt.want {
				t.Errorf("Reading(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	// Words are spaced the way cataloguers space readings.
	for in, want := range map[string]string{
		"吾輩は猫である":       "ワガハイ ワ ネコ デアル",
		"これからの正義の話をしよう": "コレカラ ノ セイギ ノ ハナシ オ シヨウ",
		"ハリー・ポッターと賢者の石": "ハリー ポッター ト ケンジャ ノ イシ",
	} {
		if got := Reading(in); got != want {
			t.Errorf("Reading(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadingUnknownWord(t *testing.T) {
	// 𠮷 is not in the IPA dictionary: it stays as it is.
	if got := Reading("𠮷野家のぎゅうどん"); !strings.Contains(got, "𠮷") || !strings.Contains(got, "ギュウドン") {
		t.Errorf("Reading = %q, want 𠮷 kept and ギュウドン", got)
	}
}

func BenchmarkReading(b *testing.B) {
	start := time.Now()
	Reading("猫")
	b.Logf("first Reading (dictionary load): %v", time.Since(start))
	titles := []string{"吾輩は猫である", "銀河鉄道の夜", "注文の多い料理店", "これからの正義の話をしよう", "新日本文学全集第三集・岸田國士集"}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		Reading(titles[i%len(titles)])
		i++
	}
}
