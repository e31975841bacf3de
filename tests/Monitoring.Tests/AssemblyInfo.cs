// One monitored cluster of real processes is shared by every test; side by side they would only fight for 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
