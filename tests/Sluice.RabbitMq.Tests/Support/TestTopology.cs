using Sluice.RabbitMq.Tests.Workers;

namespace Sluice.RabbitMq.Tests.Support;

/// <summary>
/// One test's setup on the broker: a topology of its own, a result store in a temporary directory and the stop signal
/// of its in-process workers. Disposing it stops the workers and deletes the topology's queues and exchanges and the
/// directory. Creating it skips (locally) or fails (in CI) the test when no broker is reachable.
/// </summary>
internal sealed class TestTopology : IAsyncDisposable
{
    private TestTopology(int partitions)
    {
        Topology = Broker.NewTopology(partitions);
        Directory = System.IO.Directory.CreateTempSubdirectory("sluice-rabbitmq-").FullName;
        Store = new ResultStore(Path.Combine(Directory, "store"));
    }

    public RabbitMqTopology Topology { get; }

    public string Directory { get; }

    public ResultStore Store { get; }

    /// <summary>Gets the stop signal of the workers started by <see cref="RunWorkerAsync"/>.</summary>
    public CancellationTokenSource Stop { get; } = new();

    public static TestTopology Create(int partitions)
    {
        Broker.Require();
        return new TestTopology(partitions);
    }

    public Task PublishAsync(IEnumerable<Keyed> records, int maxOutstanding = 1024) => WorkerTests.PublishAsync(Topology, records, maxOutstanding);

    /// <summary>Runs a worker in this process, writing to <see cref="Store"/> as <paramref name="writerName"/>, until <see cref="Stop"/>.</summary>
    public Task<PipelineReport?> RunWorkerAsync(string writerName, Faults faults, RabbitMqSourceOptions? options = null, int parallelism = 4)
        => TestWorker.RunAsync(Topology, Store, writerName, faults, options ?? new RabbitMqSourceOptions(), Stop.Token, parallelism);

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        Stop.Dispose();
        await Broker.DeleteAsync(Topology);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
