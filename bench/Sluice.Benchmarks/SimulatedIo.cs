using System.Diagnostics;

namespace Sluice.Benchmarks;

/// <summary>
/// A stand-in for an I/O call that answers after a fixed latency, measured with <see cref="Stopwatch"/> instead of the
/// timer queue: <c>Task.Delay(1 ms)</c> fires on the runtime's millisecond timer ticks (and on Windows only every
/// ~15 ms), so its real latency depends on where in a tick the call starts. Here one dedicated thread completes each
/// request as soon as its due time has passed, so every request waits the same time (to within microseconds) whichever
/// way it was scheduled.
/// </summary>
/// <remarks>
/// The thread sleeps while nothing is pending and yields its core while it waits for the next due time; continuations
/// run on the thread pool (<see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>), never on this thread.
/// All latencies are equal, so requests fall due in the order they arrived and a FIFO queue is enough.
/// </remarks>
public sealed class SimulatedIo : IDisposable
{
    private readonly long _latencyTicks;
    private readonly Queue<(long Due, TaskCompletionSource Completion)> _pending = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private bool _disposed;

    public SimulatedIo(TimeSpan latency)
    {
        _latencyTicks = (long)(latency.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "SimulatedIo" };
        _thread.Start();
    }

    /// <summary>Starts a request; the task completes once the latency has passed.</summary>
    /// <returns>The pending request.</returns>
    public Task CallAsync()
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending.Enqueue((Stopwatch.GetTimestamp() + _latencyTicks, completion));
            if (_pending.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
        }

        return completion.Task;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Run()
    {
        var due = new List<TaskCompletionSource>();
        while (true)
        {
            lock (_gate)
            {
                while (_pending.Count == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_disposed)
                {
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                while (_pending.Count > 0 && _pending.Peek().Due <= now)
                {
                    due.Add(_pending.Dequeue().Completion);
                }
            }

            if (due.Count == 0)
            {
                Thread.Yield();
                continue;
            }

            foreach (var completion in due)
            {
                completion.TrySetResult();
            }

            due.Clear();
        }
    }
}
