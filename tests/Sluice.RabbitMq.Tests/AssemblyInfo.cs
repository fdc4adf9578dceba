// The tests share one broker, and one of them stops and starts it: they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
