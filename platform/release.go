package platform

// Release is this program's release, exported as the stack output `release` so a stack says which
// release last applied it. It names CHANGELOG.md's newest section (a test keeps the two equal): bump
// both when cutting a release.
const Release = "0.3.0"
