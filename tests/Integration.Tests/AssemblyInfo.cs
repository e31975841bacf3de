// Each test runs a small cluster of real processes; side by side on 2 cores they would measure contention, not the system.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
