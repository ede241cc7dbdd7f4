// pause is the pod sandbox's process in the local node's pause image: it holds the pod's namespaces,
// sleeps until SIGTERM or SIGINT and reaps the zombies left to it. No dependencies.
module github.com/jdjones/jd-jones-rag-infra/tools/pause

go 1.26.6
