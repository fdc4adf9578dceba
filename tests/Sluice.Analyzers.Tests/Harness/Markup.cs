using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Sluice.Analyzers.Tests.Harness;

/// <summary>A diagnostic expected by markup: <c>[|span|]</c> (the rule under test) or <c>{|SLU201:span|}</c>.</summary>
public sealed record ExpectedDiagnostic(string? Id, TextSpan Span);

/// <summary>Parses test source markup into plain source and the diagnostics it expects.</summary>
public static class Markup
{
    public static (string Source, IReadOnlyList<ExpectedDiagnostic> Expected) Parse(string markup)
    {
        var source = new StringBuilder(markup.Length);
        var expected = new List<ExpectedDiagnostic>();
        var open = new Stack<(string? Id, int Start)>();

        for (var i = 0; i < markup.Length; i++)
        {
            if (At(markup, i, "[|"))
            {
                open.Push((null, source.Length));
                i++;
            }
            else if (At(markup, i, "{|") && TryReadId(markup, i + 2, out var id, out var end))
            {
                open.Push((id, source.Length));
                i = end;
            }
            else if (At(markup, i, "|]") || At(markup, i, "|}"))
            {
                if (open.Count == 0)
                {
                    throw new FormatException($"Markup closes a span at offset {i} that was never opened.");
                }

                var (spanId, start) = open.Pop();
                var closesNamed = markup[i + 1] == '}';
                if (closesNamed != (spanId is not null))
                {
                    throw new FormatException($"Markup at offset {i}: '[|' closes with '|]' and '{{|ID:' closes with '|}}'.");
                }

                expected.Add(new ExpectedDiagnostic(spanId, TextSpan.FromBounds(start, source.Length)));
                i++;
            }
            else
            {
                source.Append(markup[i]);
            }
        }

        if (open.Count > 0)
        {
            throw new FormatException("Markup opens a span that is never closed.");
        }

        return (source.ToString(), expected.OrderBy(e => e.Span.Start).ToList());
    }

    private static bool At(string text, int index, string token)
        => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    /// <summary>Reads <c>SLU201:</c> after <c>{|</c>; ids are letters and digits only, so C# braces are never mistaken for markup.</summary>
    private static bool TryReadId(string text, int start, out string id, out int colon)
    {
        var i = start;
        while (i < text.Length && char.IsLetterOrDigit(text[i]))
        {
            i++;
        }

        id = text[start..i];
        colon = i;
        return id.Length > 0 && i < text.Length && text[i] == ':';
    }
}
