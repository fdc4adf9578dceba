using System.Collections.Concurrent;

namespace Sluice.Runtime.Tests.Support;

/// <summary>Keeps dead letters in memory; can be told to fail its writes.</summary>
internal sealed class RecordingDeadLetterSink : IDeadLetterSink
{
    public ConcurrentQueue<DeadLetter> Letters { get; } = new();

    public Exception? FailWith { get; set; }

    public ValueTask WriteAsync(IReadOnlyList<DeadLetter> deadLetters, CancellationToken cancellationToken = default)
    {
        if (FailWith is { } failure)
        {
            return ValueTask.FromException(failure);
        }

        foreach (var letter in deadLetters)
        {
            Letters.Enqueue(letter);
        }

        return ValueTask.CompletedTask;
    }
}
