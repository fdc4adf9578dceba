using System.Collections.Generic;

namespace Sluice.Pipeline;

/// <summary>
/// Tracks which positions are done and the low-watermark: the first position not yet done.
/// Positions finish out of order under parallelism; only the contiguous prefix may be checkpointed.
/// </summary>
internal sealed class CompletionTracker(long start)
{
    private readonly object _gate = new();
    private readonly HashSet<long> _doneAhead = [];
    private long _watermark = start;

    public long Watermark
    {
        get
        {
            lock (_gate)
            {
                return _watermark;
            }
        }
    }

    /// <summary>Gets how many positions are done beyond the watermark.</summary>
    public int DoneAhead
    {
        get
        {
            lock (_gate)
            {
                return _doneAhead.Count;
            }
        }
    }

    public void Complete(List<long> positions)
    {
        lock (_gate)
        {
            foreach (var position in positions)
            {
                if (position == _watermark)
                {
                    _watermark++;
                    while (_doneAhead.Remove(_watermark))
                    {
                        _watermark++;
                    }
                }
                else if (position > _watermark)
                {
                    _doneAhead.Add(position);
                }
            }
        }
    }
}
