// Each test runs a small cluster of real processes. Most run alone, one after another (RunsAlone): side by side on
// 2 cores they would measure contention, not the system. A few that spend most of their time waiting run two at a
// time before them (SideBySideAttribute says which and why).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 2)]
