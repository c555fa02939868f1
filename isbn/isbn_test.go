package isbn

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"isbn13 hyphens", "978-4-7949-7075-6", "9784794970756", true},
		{"isbn13 with note", "978-4-7949-7075-6 (pbk.)", "9784794970756", true},
		{"isbn13 with colon", "978-4-255-01110-3 :", "9784255011103", true},
		{"isbn10 with price", "4101010013 : ¥400", "9784101010014", true},
		{"isbn10 hyphens", "4-10-101001-3", "9784101010014", true},
		{"isbn10 X", "0-8044-2957-X", "9780804429573", true},
		{"isbn10 lower x", "080442957x", "9780804429573", true},
		{"full width", "９７８－４－７９４９－７０７５－６", "9784794970756", true},
		{"full width X", "０８０４４２９５７Ｘ", "9780804429573", true},
		{"leading label", "ISBN 978-4-7949-7075-6", "9784794970756", true},
		{"spaces", "978 4 7949 7075 6", "9784794970756", true},
		{"979", "979-10-90636-07-1", "9791090636071", true},
		{"bad check 13", "978-4-7949-7075-5", "", false},
		{"bad check 10", "4101010012", "", false},
		{"x inside", "41010X0013", "", false},
		{"wrong prefix", "9774794970756", "", false},
		{"too short", "12345", "", false},
		{"too long", "97847949707561", "", false},
		{"empty", "", "", false},
		{"text", "pbk.", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Normalize(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Normalize(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLooks(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"978-4-7949-7075-6", true},
		{" 9784794970756 ", true},
		{"4-10-101001-3", true},
		{"080442957X", true},
		{"９７８４７９４９７０７５６", true},
		{"9784794970755", true}, // bad check digit still looks like one
		{"夏目漱石", false},
		{"1984", false},
		{"978479497075", false},
		{"X804429570", false},
		{"isbn 9784794970756", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Looks(tt.in); got != tt.want {
				t.Errorf("Looks(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHyphenate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"9784000000000", "978-4-00-000000-0"}, // 岩波書店's range: two digits
		{"9784101010014", "978-4-10-101001-4"}, // 新潮社
		{"9784480020000", "978-4-480-02000-0"}, // 筑摩書房: three
		{"9784794970756", "978-4-7949-7075-6"}, // 晶文社: four
		{"9784879843630", "978-4-87984-363-0"}, // five
		{"9784909000003", "978-4-909000-00-3"}, // six
		{"9784990000005", "978-4-9900000-0-5"}, // seven
		{"9780306406157", "978-0306406157"},    // another group: the prefix alone
		{"978430640615", "978430640615"},       // not thirteen digits: as it is
		{"97843064061X5", "97843064061X5"},
	} {
		if got := Hyphenate(c.in); got != c.want {
			t.Errorf("Hyphenate(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
