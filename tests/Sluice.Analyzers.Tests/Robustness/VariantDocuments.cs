using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Robustness;

/// <summary>Puts each top-level type of a variants source in a document of its own.</summary>
internal static class VariantDocuments
{
    /// <summary>
    /// Adds <paramref name="source"/> as one document per top-level type (a type, with the comment lines right above it,
    /// starts at column 0 after a blank line), each with the source's usings. Fix All runs once per document and
    /// equivalence key and applies its fixes one after the other, rebinding the document each time: small documents keep
    /// that cheap, and a failure names the document of the variant.
    /// </summary>
    public static FixRobustnessTest WithEachTypeAsADocument(this FixRobustnessTest test, string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        var usings = lines.TakeWhile(line => line.StartsWith("using ", StringComparison.Ordinal) || line.Length == 0).ToList();
        var header = string.Join("\n", usings.Where(line => line.Length > 0)) + "\n\n";

        var chunk = new List<string>();
        void Flush()
        {
            if (chunk.Any(line => line.Trim().Length > 0))
            {
                test.WithSource(header + string.Join("\n", chunk).Trim('\n') + "\n");
            }

            chunk.Clear();
        }

        for (var i = usings.Count; i < lines.Length; i++)
        {
            var startsType = lines[i].Length > 0 && !char.IsWhiteSpace(lines[i][0]) && lines[i][0] is not ('{' or '}') && lines[i - 1].Length == 0;
            if (startsType)
            {
                Flush();
            }

            chunk.Add(lines[i]);
        }

        Flush();
        return test;
    }
}
