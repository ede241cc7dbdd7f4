package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/jdjones/jd-jones-rag-infra/platform"
)

func main() {
	pulumi.Run(platform.Program)
}
