namespace Sluice.Runtime.Tests.Support;

/// <summary>
/// Counts the attempts of an operation and lets a test wait until a given attempt has started, so that it moves a fake
/// clock only once the attempt's timers exist.
/// </summary>
internal sealed class AttemptSignal
{
    /// <summary>How long a test waits for something that a passing run does at once: a stuck run fails rather than hangs.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly List<(int Attempt, TaskCompletionSource Started)> _waiters = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Records the start of an attempt and returns its 1-based number.</summary>
    public int Next()
    {
        lock (_gate)
        {
            var attempt = ++_count;
            foreach (var waiter in _waiters.Where(w => w.Attempt <= attempt).ToList())
            {
                waiter.Started.TrySetResult();
                _waiters.Remove(waiter);
            }

            return attempt;
        }
    }

    public Task WaitForAsync(int attempt)
    {
        lock (_gate)
        {
            if (_count >= attempt)
            {
                return Task.CompletedTask;
            }

            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((attempt, started));
            return started.Task.WaitAsync(HangGuard);
        }
    }
}
