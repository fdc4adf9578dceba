using System;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>
/// A textual pre-filter for an operation block: whether its source mentions a word at all. An analyzer that starts from
/// calls of a few method names asks it once per member in an operation block start action, and registers its operation
/// actions only for the members whose text names one of them, instead of being called back for every invocation of
/// the compilation (the driver's cost per callback, not the analyzer's own work, was most of what such rules cost).
/// A method called by name has its name in the text, so the filter never hides a call the analyzer would recognize;
/// it must not be used for names that code can call without writing them (an implicit <c>Add</c>, <c>Dispose</c>,
/// <c>GetEnumerator</c>, <c>GetAwaiter</c>).
/// </summary>
internal static class BlockText
{
    /// <summary>The text of each tree, read once and shared by every analyzer that asks about that tree.</summary>
    private static readonly ConditionalWeakTable<SyntaxTree, string> Texts = new();

    private static readonly ConditionalWeakTable<SyntaxTree, string>.CreateValueCallback ReadText = tree => tree.GetText().ToString();

    /// <summary>True when the source of one of <paramref name="blocks"/> contains one of <paramref name="words"/> (ordinal, case-sensitive).</summary>
    public static bool Mentions(ImmutableArray<IOperation> blocks, params string[] words)
    {
        foreach (var block in blocks)
        {
            var syntax = block.Syntax;
            var text = Texts.GetValue(syntax.SyntaxTree, ReadText);
            var span = syntax.Span;
            if (span.End > text.Length)
            {
                // Not the text this tree was read from: do not filter.
                return true;
            }

            foreach (var word in words)
            {
                if (text.IndexOf(word, span.Start, span.Length, StringComparison.Ordinal) >= 0)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
