// The engine tests observe process-wide trace and metric listeners: they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
