package bench

import (
	"bufio"
	"fmt"
	"io"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"hondana/library"
)

// PatronCard is the card of synthetic patron i: eight digits from base
// and Hondana's check digit.
func PatronCard(base, i int) string {
	eight := fmt.Sprintf("%08d", base+i)
	return eight + string(library.CardCheckDigit(eight))
}

// WritePatrons writes a vendor-style patron file of n rows, as a city's
// old system exports one: Shift_JIS (CP932) with CRLF, Japanese headers,
// half-width readings, Japanese-era birthdays, every column filled.
func WritePatrons(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	tw := transform.NewWriter(bw, japanese.ShiftJIS.NewEncoder())
	fmt.Fprint(tw, "利用者番号,氏名,ヨミ,生年月日,住所,電話,携帯,メール,利用者区分,有効期限\r\n")
	for i := range n {
		fmt.Fprintf(tw, "%s,大洲 髙子%d,ｵｵｽﾞ ﾀｶｺ,昭和%d年%d月%d日,愛媛県大洲市東大洲%d-%d,0893-24-%04d,090-%04d-%04d,p%d@example.jp,市内,令和9年3月31日\r\n",
			PatronCard(50000000, i), i, 30+i%34, 1+i%12, 1+i%28, i%300, i%50, i%10000, i%10000, (i*7)%10000, i)
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}
