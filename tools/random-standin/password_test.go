package main

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

const allDefaultChars = lowerChars + upperChars + numericChars + defaultSpecialChars

// generations is how many passwords each property test draws.
const generations = 500

func countIn(s, set string) int {
	n := 0
	for _, r := range s {
		if strings.ContainsRune(set, r) {
			n++
		}
	}
	return n
}

func TestGeneratedPasswords(t *testing.T) {
	all := passwordSpec{Lower: true, Upper: true, Numeric: true, Special: true}
	only := func(f func(*passwordSpec)) passwordSpec {
		s := passwordSpec{}
		f(&s)
		return s
	}
	tests := []struct {
		name string
		spec passwordSpec
		// allowed holds every character a password may contain.
		allowed string
		// atLeast maps a character set to how many of its characters every password holds.
		atLeast map[string]int
	}{
		{
			name:    "default switches draw from all four classes",
			spec:    withLength(all, 16),
			allowed: allDefaultChars,
		},
		{
			name:    "only lowercase letters when the other classes are off",
			spec:    only(func(s *passwordSpec) { s.Length, s.Lower = 24, true }),
			allowed: lowerChars,
		},
		{
			name:    "only digits when only numeric is on",
			spec:    only(func(s *passwordSpec) { s.Length, s.Numeric = 24, true }),
			allowed: numericChars,
		},
		{
			name:    "no special characters when special is off",
			spec:    passwordSpec{Length: 24, Lower: true, Upper: true, Numeric: true},
			allowed: lowerChars + upperChars + numericChars,
		},
		{
			name: "every minimum is met when they fill the whole length",
			spec: passwordSpec{Length: 8, Lower: true, Upper: true, Numeric: true, Special: true,
				MinLower: 2, MinUpper: 2, MinNumeric: 2, MinSpecial: 2},
			allowed: allDefaultChars,
			atLeast: map[string]int{lowerChars: 2, upperChars: 2, numericChars: 2, defaultSpecialChars: 2},
		},
		{
			name: "minimums are met in a longer password",
			spec: passwordSpec{Length: 12, Lower: true, Upper: true, Numeric: true, Special: true,
				MinUpper: 3, MinNumeric: 4},
			allowed: allDefaultChars,
			atLeast: map[string]int{upperChars: 3, numericChars: 4},
		},
		{
			name:    "override special replaces the default special set",
			spec:    only(func(s *passwordSpec) { s.Length, s.Special, s.OverrideSpecial = 16, true, "#%" }),
			allowed: "#%",
		},
		{
			name: "a special minimum draws from the override set even with special off",
			spec: only(func(s *passwordSpec) {
				s.Length, s.Lower, s.MinSpecial, s.OverrideSpecial = 10, true, 3, "~^"
			}),
			allowed: lowerChars + "~^",
			atLeast: map[string]int{"~^": 3},
		},
		{
			name:    "a minimum of a switched-off class still draws from that class, as upstream does",
			spec:    only(func(s *passwordSpec) { s.Length, s.Lower, s.MinUpper = 10, true, 2 }),
			allowed: lowerChars + upperChars,
			atLeast: map[string]int{upperChars: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range generations {
				pw, err := generatePassword(tt.spec, rand.Reader)
				if err != nil {
					t.Fatalf("generatePassword: %v", err)
				}
				if n := utf8.RuneCountInString(pw); n != tt.spec.Length {
					t.Fatalf("password %q has %d characters, want %d", pw, n, tt.spec.Length)
				}
				if inside := countIn(pw, tt.allowed); inside != tt.spec.Length {
					t.Fatalf("password %q holds characters outside %q", pw, tt.allowed)
				}
				for set, min := range tt.atLeast {
					if got := countIn(pw, set); got < min {
						t.Fatalf("password %q holds %d characters of %q, want at least %d", pw, got, set, min)
					}
				}
			}
		})
	}
}

func withLength(s passwordSpec, n int) passwordSpec {
	s.Length = n
	return s
}

func TestPasswordLengthIsExact(t *testing.T) {
	for _, n := range []int{1, 2, 16, 72, 200} {
		pw, err := generatePassword(passwordSpec{Length: n, Lower: true, Upper: true, Numeric: true, Special: true}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != n {
			t.Errorf("asked for %d characters, got %d (%q)", n, len(pw), pw)
		}
	}
}

func TestEveryEnabledClassShowsUpOverManyGenerations(t *testing.T) {
	spec := passwordSpec{Length: 4, Lower: true, Upper: true, Numeric: true, Special: true}
	seen := map[string]bool{}
	for range 2000 {
		pw, err := generatePassword(spec, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for _, set := range []string{lowerChars, upperChars, numericChars, defaultSpecialChars} {
			if countIn(pw, set) > 0 {
				seen[set] = true
			}
		}
	}
	if len(seen) != 4 {
		t.Errorf("only %d of 4 enabled classes appeared in 2000 passwords", len(seen))
	}
}

func TestMinimumCharactersAreShuffledIntoEveryPosition(t *testing.T) {
	spec := passwordSpec{Length: 6, Lower: true, MinNumeric: 1}
	positions := map[int]bool{}
	for range generations {
		pw, err := generatePassword(spec, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		positions[strings.IndexAny(pw, numericChars)] = true
	}
	if len(positions) != spec.Length {
		t.Errorf("the required digit appeared at %d distinct positions, want all %d", len(positions), spec.Length)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestAFailingRandomSourceIsReportedNotIgnored(t *testing.T) {
	_, err := generatePassword(passwordSpec{Length: 8, Lower: true}, failingReader{})
	if err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Fatalf("got error %v, want one naming the failed random source", err)
	}
}

func TestBcryptHashCoversTheFirst72Bytes(t *testing.T) {
	for _, pw := range []string{"short-password", strings.Repeat("abcdefgh", 12)} {
		h, err := bcryptHash(pw)
		if err != nil {
			t.Fatal(err)
		}
		prefix := pw[:min(len(pw), bcryptMaxBytes)]
		if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(prefix)); err != nil {
			t.Errorf("hash of a %d-byte password does not match its first %d bytes: %v", len(pw), len(prefix), err)
		}
	}
}
