using System.Threading.Tasks.Sources;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Pipeline;

/// <summary>
/// The per-record handler without resilience: every way a handler can finish (throwing, a task already faulted, a
/// failure after waiting, a result from a reusable source) is read once and counted.
/// </summary>
public class RecordHandlerOutcomeTests
{
    [Fact]
    public async Task Every_way_a_record_handler_can_fail_is_dead_lettered_once()
    {
        var sink = new RecordingDeadLetterSink();
        var report = await SluicePipeline.From(Enumerable.Range(0, 40))
            .WithDeadLetters(sink)
            .RunAsync(async (int record, CancellationToken _) =>
            {
                // 3: throws before returning; 7: returns a faulted task that is already complete; 11: fails after
                // waiting; 15: finishes later and succeeds.
                switch (record % 20)
                {
                    case 3:
                        throw new FormatException("thrown " + record);
                    case 7:
                        await ValueTask.FromException(new InvalidDataException("faulted " + record));
                        break;
                    case 11:
                        await Task.Yield();
                        throw new TimeoutException("late " + record);
                    case 15:
                        await Task.Yield();
                        break;
                }
            });

        Assert.Equal(
            [(3, typeof(FormatException)), (7, typeof(InvalidDataException)), (11, typeof(TimeoutException)), (23, typeof(FormatException)), (27, typeof(InvalidDataException)), (31, typeof(TimeoutException))],
            sink.Letters.OrderBy(d => d.Position).Select(d => ((int)d.Position!.Value, Type.GetType(d.ErrorType!))));
        Assert.All(sink.Letters, d => Assert.Equal(1, d.Attempts));
        Assert.Equal(34, report.Succeeded);
        Assert.Equal(6, report.DeadLettered);
        Assert.Equal(0, report.Retried);
    }

    [Fact]
    public async Task A_handler_result_from_a_reusable_source_is_read_once_whether_it_succeeded_or_failed()
    {
        var sink = new RecordingDeadLetterSink();
        var source = new ReusableCompletion();
        var report = await SluicePipeline.From(Enumerable.Range(0, 30))
            .WithDeadLetters(sink)
            .RunAsync((int record, CancellationToken _) => source.Next(fail: record % 10 == 4));

        Assert.Equal(30, source.Reads);
        Assert.Equal([4, 14, 24], sink.Letters.Select(d => (int)d.Position!.Value).Order());
        Assert.Equal(27, report.Succeeded);
    }

    /// <summary>
    /// A completion reused from one call to the next, as pooled I/O primitives do: handing out the next result before
    /// the previous one was read is the misuse it refuses.
    /// </summary>
    private sealed class ReusableCompletion : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core;
        private bool _unread;

        public int Reads { get; private set; }

        public ValueTask Next(bool fail)
        {
            if (_unread)
            {
                throw new InvalidOperationException("The previous result was never read.");
            }

            _core.Reset();
            _unread = true;
            if (fail)
            {
                _core.SetException(new InvalidDataException("rejected"));
            }
            else
            {
                _core.SetResult(true);
            }

            return new ValueTask(this, _core.Version);
        }

        public void GetResult(short token)
        {
            _unread = false;
            Reads++;
            _core.GetResult(token);
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
            => _core.OnCompleted(continuation, state, token, flags);
    }
}
