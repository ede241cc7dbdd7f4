// Command jd-jones-rag-infra is the Pulumi program that stands up the JD Jones RAG platform.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/platform"
)

func main() {
	pulumi.Run(platform.Program)
}
