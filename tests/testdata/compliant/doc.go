// Package compliant holds the pieces the deliberately bad test programs start from: a container that
// every policy of the pack accepts, so each program breaks exactly what its resources' names announce.
package compliant
