package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/bcrypt"
)

// Character sets of terraform-provider-random, which pulumi-random wraps.
const (
	lowerChars          = "abcdefghijklmnopqrstuvwxyz"
	upperChars          = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars        = "0123456789"
	defaultSpecialChars = "!@#$%&*()-_=+[]{}<>:?"
)

// bcryptMaxBytes is the most bcrypt reads of a password; the real provider hashes that prefix.
const bcryptMaxBytes = 72

// passwordSpec is a RandomPassword's inputs after validation and defaulting.
type passwordSpec struct {
	Length                                     int
	Lower, Upper, Numeric, Special             bool
	MinLower, MinUpper, MinNumeric, MinSpecial int
	// OverrideSpecial replaces defaultSpecialChars when not empty.
	OverrideSpecial string
}

// specialChars is the special character set in force for s.
func (s passwordSpec) specialChars() string {
	if s.OverrideSpecial != "" {
		return s.OverrideSpecial
	}
	return defaultSpecialChars
}

// generatePassword draws a password the way terraform-provider-random's CreateString does:
// first each class's minimum count from that class's set (even when the class is switched
// off, as upstream does), then the rest from the union of the enabled classes, then a shuffle.
// Every draw is uniform, from rnd (crypto/rand.Reader outside tests).
func generatePassword(s passwordSpec, rnd io.Reader) (string, error) {
	var pool []rune
	if s.Upper {
		pool = append(pool, []rune(upperChars)...)
	}
	if s.Lower {
		pool = append(pool, []rune(lowerChars)...)
	}
	if s.Numeric {
		pool = append(pool, []rune(numericChars)...)
	}
	if s.Special {
		pool = append(pool, []rune(s.specialChars())...)
	}

	minimums := []struct {
		chars string
		count int
	}{
		{numericChars, s.MinNumeric},
		{lowerChars, s.MinLower},
		{upperChars, s.MinUpper},
		{s.specialChars(), s.MinSpecial},
	}
	result := make([]rune, 0, s.Length)
	for _, m := range minimums {
		drawn, err := drawRunes([]rune(m.chars), m.count, rnd)
		if err != nil {
			return "", err
		}
		result = append(result, drawn...)
	}
	rest, err := drawRunes(pool, s.Length-len(result), rnd)
	if err != nil {
		return "", err
	}
	result = append(result, rest...)

	// Fisher-Yates, so the minimums do not always lead.
	for i := len(result) - 1; i > 0; i-- {
		j, err := randomIndex(i+1, rnd)
		if err != nil {
			return "", err
		}
		result[i], result[j] = result[j], result[i]
	}
	return string(result), nil
}

// drawRunes returns n runes drawn uniformly, with replacement, from set.
func drawRunes(set []rune, n int, rnd io.Reader) ([]rune, error) {
	if n <= 0 {
		return nil, nil
	}
	if len(set) == 0 {
		return nil, errors.New("no characters to draw from: enable at least one of lower, upper, numeric and special")
	}
	out := make([]rune, n)
	for i := range out {
		j, err := randomIndex(len(set), rnd)
		if err != nil {
			return nil, err
		}
		out[i] = set[j]
	}
	return out, nil
}

// randomIndex returns a uniform integer in [0, n).
func randomIndex(n int, rnd io.Reader) (int, error) {
	v, err := rand.Int(rnd, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("reading random bytes: %w", err)
	}
	return int(v.Int64()), nil
}

// bcryptHash hashes password (its first 72 bytes, like the real provider) at the default cost.
func bcryptHash(password string) (string, error) {
	b := []byte(password)
	if len(b) > bcryptMaxBytes {
		b = b[:bcryptMaxBytes]
	}
	h, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hashing the password: %w", err)
	}
	return string(h), nil
}
