// Command jd-jones-rag-infra is the Pulumi program that stands up the JD Jones RAG platform.
package main
