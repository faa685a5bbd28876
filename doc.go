// Package wasmsched is the root of the wasmsched project: a job scheduler
// that runs natively and in the browser. The library is package
// [github.com/wasmsched/wasmsched/sched]; this folder holds the seed's
// acceptance scenario as a test (sched_test.go).
package wasmsched
