using System.Globalization;

namespace Sluice.Cli;

/// <summary>Reads <c>--since</c>/<c>--until</c>: an ISO date or time, <c>today</c>, or an age (<c>30m</c>, <c>2h</c>, <c>3d</c>).</summary>
internal static class TimeFilter
{
    public static DateTimeOffset? Parse(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        if (text.Equals("today", StringComparison.OrdinalIgnoreCase))
        {
            return new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        }

        if (text.Length > 1 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            switch (char.ToLowerInvariant(text[^1]))
            {
                case 'm': return now.AddMinutes(-amount);
                case 'h': return now.AddHours(-amount);
                case 'd': return now.AddDays(-amount);
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        throw new OperatorException($"{option} '{text}' is not a time.", $"Use an ISO date or time (2026-11-30, 2026-11-30T02:00Z), 'today', or an age such as 30m, 2h or 3d.");
    }
}
