using System;
using System.Collections.Generic;

namespace Sluice.Pipeline;

/// <summary>
/// Tracks which positions are done and the low-watermark: the first position not yet done.
/// Positions finish out of order under parallelism; only the contiguous prefix may be checkpointed.
/// Finished work is recorded as ranges of positions (a whole batch is one range when its positions are contiguous),
/// so the cost is per batch, not per record.
/// </summary>
internal sealed class CompletionTracker(long start)
{
    private readonly object _gate = new();

    // Done ranges beyond the watermark: first position → one past the last. They never overlap (each position is
    // finished once), so the watermark climbs from one range's end to the range that starts there.
    private readonly Dictionary<long, long> _doneAhead = [];
    private long _watermark = start;
    private long _doneAheadCount;

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
    public long DoneAhead
    {
        get
        {
            lock (_gate)
            {
                return _doneAheadCount;
            }
        }
    }

    /// <summary>Marks <paramref name="count"/> contiguous positions from <paramref name="first"/> as done.</summary>
    public void Complete(long first, int count)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            Add(first, first + count);
        }
    }

    /// <summary>Marks <paramref name="positions"/> as done; each run of consecutive positions is recorded as one range.</summary>
    public void Complete(ReadOnlySpan<long> positions)
    {
        if (positions.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            var from = positions[0];
            var to = from + 1;
            for (var i = 1; i < positions.Length; i++)
            {
                if (positions[i] == to)
                {
                    to++;
                    continue;
                }

                Add(from, to);
                from = positions[i];
                to = from + 1;
            }

            Add(from, to);
        }
    }

    private void Add(long from, long to)
    {
        if (to <= _watermark)
        {
            return;
        }

        from = Math.Max(from, _watermark);
        if (from != _watermark)
        {
            _doneAhead[from] = to;
            _doneAheadCount += to - from;
            return;
        }

        _watermark = to;
        while (_doneAhead.Remove(_watermark, out var end))
        {
            _doneAheadCount -= end - _watermark;
            _watermark = end;
        }
    }
}
