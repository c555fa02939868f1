package library

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The staff's second factor: time-based one-time passwords (TOTP, RFC
// 6238) as every authenticator app makes them: HMAC-SHA1, 30-second
// steps, 6 digits.

const totpPeriod = 30 // seconds

// totpStep is the 30-second step t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpCode is the code of secret for a step (RFC 4226's HOTP of the step
// count, RFC 6238 §4), digits long.
func totpCode(secret []byte, step int64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	binary.Write(mac, binary.BigEndian, step)
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// totpMatch returns the step, within one of now's either way (clocks
// drift, people type slowly), whose code is code; 0 when none is.
func totpMatch(secret []byte, code string, now time.Time) int64 {
	cur := totpStep(now)
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, step, 6)), []byte(code)) == 1 {
			return step
		}
	}
	return 0
}

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPEnrolment is a second factor being set up: what the staff member
// puts in an authenticator app, as a QR code of URI or by typing Secret.
type TOTPEnrolment struct {
	Secret string // base32, in groups of four
	URI    string // otpauth://totp/…
}

func newEnrolment(secret []byte, issuer, username string) *TOTPEnrolment {
	b32 := base32NoPad.EncodeToString(secret)
	var groups []string
	for i := 0; i < len(b32); i += 4 {
		groups = append(groups, b32[i:min(i+4, len(b32))])
	}
	q := url.Values{"secret": {b32}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return &TOTPEnrolment{Secret: strings.Join(groups, " "),
		URI: "otpauth://totp/" + url.PathEscape(issuer+":"+username) + "?" + q.Encode()}
}

// pepperKey derives a key for one purpose from the pepper: what it
// protects cannot be used from a copy of the database alone.
func (a *Accounts) pepperKey(purpose string) []byte {
	mac := hmac.New(sha256.New, a.pepper)
	mac.Write([]byte("hondana " + purpose))
	return mac.Sum(nil)
}

// seal encrypts a TOTP secret for the database (AES-256-GCM).
func (a *Accounts) seal(secret []byte) string {
	block, _ := aes.NewCipher(a.pepperKey("totp secret"))
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(gcm.Seal(nonce, nonce, secret, nil))
}

// unseal decrypts what seal made.
func (a *Accounts) unseal(sealed string) ([]byte, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	block, _ := aes.NewCipher(a.pepperKey("totp secret"))
	gcm, _ := cipher.NewGCM(block)
	if err != nil || len(b) < gcm.NonceSize() {
		return nil, errors.New("library: TOTP secret unreadable")
	}
	secret, err := gcm.Open(nil, b[:gcm.NonceSize()], b[gcm.NonceSize():], nil)
	if err != nil {
		return nil, errors.New("library: TOTP secret unreadable (another pepper?)")
	}
	return secret, nil
}

// recoveryAlphabet leaves out letters and digits people confuse.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

// newRecoveryCode is ten characters (about 50 bits) as "xxxxx-xxxxx".
func newRecoveryCode() string {
	var out []byte
	one := make([]byte, 1)
	for len(out) < 10 {
		rand.Read(one)
		if int(one[0]) < 256/len(recoveryAlphabet)*len(recoveryAlphabet) { // no bias
			out = append(out, recoveryAlphabet[int(one[0])%len(recoveryAlphabet)])
		}
	}
	return string(out[:5]) + "-" + string(out[5:])
}

// normalCode is a code as typed without spaces and hyphens, lower case.
func normalCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
}

// recoveryHash is what the database keeps of a recovery code: they are
// random enough that a keyed hash needs no slowness.
func (a *Accounts) recoveryHash(code string) string {
	mac := hmac.New(sha256.New, a.pepperKey("recovery code"))
	mac.Write([]byte(normalCode(code)))
	return hex.EncodeToString(mac.Sum(nil))
}
