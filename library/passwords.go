package library

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CheckNewPassword applies the seed's rule: 4 to 8 half-width characters,
// digits and upper- and lower-case letters only; case matters and nothing
// is cut off. Ours: not the birthday MMDD and not digits of the card.
func CheckNewPassword(pw, confirm, card, birthDate string) *Refusal {
	switch {
	case pw == "":
		return &Refusal{Code: PasswordEmpty, Field: "new_password"}
	case !utf8.ValidString(pw):
		return &Refusal{Code: PasswordNonASCII, Field: "new_password"}
	}
	for _, r := range pw {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r > 0x7e:
			return &Refusal{Code: PasswordNonASCII, Field: "new_password"}
		default:
			return &Refusal{Code: PasswordSymbol, Field: "new_password"}
		}
	}
	switch n := len(pw); {
	case n < 4:
		return &Refusal{Code: PasswordTooShort, Field: "new_password"}
	case n > 8:
		return &Refusal{Code: PasswordTooLong, Field: "new_password"}
	}
	if pw == TemporaryPassword(birthDate) || strings.Contains(card, pw) {
		return &Refusal{Code: PasswordGuessable, Field: "new_password"}
	}
	if pw != confirm {
		return &Refusal{Code: PasswordMismatch, Field: "new_password_confirm"}
	}
	return nil
}

// TemporaryPassword is the seed's temporary password: the birth date as
// MMDD ("1990-04-01" → "0401").
func TemporaryPassword(birthDate string) string {
	if len(birthDate) != 10 {
		return ""
	}
	return birthDate[5:7] + birthDate[8:10]
}

// LoginDelay is how long a card must wait after its latest failure, given
// its consecutive failures: nothing for the first five, then 1, 2, 4 …
// minutes, at most an hour. Growing delays make guessing 4-character
// passwords slow long before the lock at LockAfter.
func LoginDelay(failures int) time.Duration {
	if failures < 5 {
		return 0
	}
	d := time.Minute << (failures - 5)
	if d > time.Hour || d <= 0 {
		return time.Hour
	}
	return d
}

// LockAfter consecutive failures stop web login for a card until staff
// clear it.
const LockAfter = 20

// FoldCard turns what a patron typed in the card field into a card
// number: full-width digits become ASCII, spaces and hyphens go. ok is
// false unless exactly nine digits remain.
func FoldCard(s string) (card string, ok bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune(r - '０' + '0')
		case r == ' ' || r == '-' || r == '\u3000' || r == 'ー' || r == '－':
		default:
			return "", false
		}
	}
	card = b.String()
	return card, len(card) == 9
}

// CardValid reports whether a nine-digit card's last digit is the check
// digit of the first eight (cards made before check digits fail it).
func CardValid(card string) bool {
	return len(card) == 9 && CardCheckDigit(card[:8]) == card[8]
}

// CardCheckDigit is the Luhn check digit of the first eight digits of a
// card: a mistyped digit at the counter makes a number no card has.
func CardCheckDigit(eight string) byte {
	sum := 0
	for i := len(eight) - 1; i >= 0; i-- {
		d := int(eight[i] - '0')
		if (len(eight)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
