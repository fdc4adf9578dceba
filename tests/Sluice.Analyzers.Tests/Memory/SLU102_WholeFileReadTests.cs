using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Memory;

namespace Sluice.Analyzers.Tests.Memory;

public class SLU102_WholeFileReadTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<WholeFileReadAnalyzer>().WithSource(source);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<WholeFileReadAnalyzer, WholeFileReadCodeFix>(WholeFileReadCodeFix.ReadLinesKey).WithSource(source).WithFixedSource(fixedSource);

    private static RuleTest NoFix(string source)
        => Verify.CodeFix<WholeFileReadAnalyzer, WholeFileReadCodeFix>().WithSource(source).ExpectNoFix();

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task ReadAllLines_iterated_by_a_foreach_is_reported_and_names_the_file()
        => Analyzer("""
            using System;
            using System.IO;

            class Import
            {
                void Run(string path)
                {
                    foreach (var line in [|File.ReadAllLines(path)|])
                    {
                        Console.WriteLine(line);
                    }

                    foreach (var line in [|File.ReadAllLines("orders.csv")|])
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """)
            .WithMessages(
                "'path' is read whole into memory by File.ReadAllLines() and then used line by line; stream it with File.ReadLines()",
                "'orders.csv' is read whole into memory by File.ReadAllLines() and then used line by line; stream it with File.ReadLines()")
            .RunAsync();

    [Fact]
    public Task ReadAllLines_queried_with_LINQ_directly_or_through_a_local_is_reported()
        => Analyzer("""
            using System;
            using System.Linq;
            using System.IO;

            class Import
            {
                int Run(string path)
                {
                    var lines = [|File.ReadAllLines(path)|];
                    foreach (var line in lines.Skip(1))
                    {
                        Console.WriteLine(line);
                    }

                    var count = [|File.ReadAllLines(path)|].Count(l => l.StartsWith("#"));
                    var parsed = [|File.ReadAllLines(path)|].Where(l => l.Length > 0).Select(int.Parse).ToList();
                    return count + parsed.Count;
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_awaited_ReadAllLinesAsync_is_reported_with_ReadLinesAsync()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path, CancellationToken token)
                {
                    var lines = await [|File.ReadAllLinesAsync(path, token)|];
                    foreach (var line in lines)
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """)
            .WithMessages("'path' is read whole into memory by File.ReadAllLinesAsync() and then used line by line; stream it with File.ReadLinesAsync()")
            .RunAsync();

    [Fact]
    public Task ReadAllText_split_into_lines_is_reported()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path)
                {
                    var a = [|File.ReadAllText(path)|].Split('\n');
                    var b = [|File.ReadAllText(path)|].Split(Environment.NewLine);
                    var c = [|File.ReadAllText(path)|].Split(new[] { "\r\n", "\n" }, StringSplitOptions.None);
                    var d = [|File.ReadAllText(path)|].Split('\r', '\n');
                    var e = (await [|File.ReadAllTextAsync(path)|]).Split("\n");
                }
            }
            """)
            .WithMessages(
                "'path' is read whole into memory by File.ReadAllText() and split into lines; stream it with File.ReadLines()",
                "'path' is read whole into memory by File.ReadAllText() and split into lines; stream it with File.ReadLines()",
                "'path' is read whole into memory by File.ReadAllText() and split into lines; stream it with File.ReadLines()",
                "'path' is read whole into memory by File.ReadAllText() and split into lines; stream it with File.ReadLines()",
                "'path' is read whole into memory by File.ReadAllTextAsync() and split into lines; stream it with File.ReadLinesAsync()")
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task Arrays_used_as_arrays_are_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.IO;

            class Import
            {
                string[] _cache = Array.Empty<string>();

                void Run(string path)
                {
                    var header = File.ReadAllLines(path)[0];
                    var count = File.ReadAllLines(path).Length;
                    _cache = File.ReadAllLines(path);
                    Use(File.ReadAllLines(path));
                    var list = File.ReadAllLines(path).ToList();
                    var sorted = File.ReadAllLines(path).OrderBy(l => l);

                    var lines = File.ReadAllLines(path);
                    foreach (var line in lines)
                    {
                        Console.WriteLine(line);
                    }

                    Console.WriteLine(lines.Length);
                }

                string[] Returned(string path) => File.ReadAllLines(path);

                void Use(IEnumerable<string> lines) { }
            }
            """).RunAsync();

    [Fact]
    public Task Lines_enumerated_again_and_again_are_silent()
        => Analyzer("""
            using System;
            using System.Linq;
            using System.IO;

            class Import
            {
                void Run(string path, string[] keys)
                {
                    var lines = File.ReadAllLines(path);
                    foreach (var key in keys)
                    {
                        Console.WriteLine(lines.Count(l => l.StartsWith(key)));
                    }

                    var known = File.ReadAllLines(path);
                    var matches = keys.Where(k => known.Contains(k)).ToList();

                    var deferred = File.ReadAllLines(path).Where(l => l.Length > 0);
                    Console.WriteLine(deferred.Count());
                    Console.WriteLine(deferred.First());
                }
            }
            """).RunAsync();

    [Fact]
    public Task Text_parsed_as_one_document_bytes_and_other_splits_are_silent()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Text.Json;

            class Settings
            {
                public string Name { get; set; } = "";
            }

            class Import
            {
                void Run(string path)
                {
                    var settings = JsonSerializer.Deserialize<Settings>(File.ReadAllText(path));
                    var fields = File.ReadAllText(path).Split(',');
                    var bytes = File.ReadAllBytes(path);
                    foreach (var b in File.ReadAllBytes(path))
                    {
                        Console.WriteLine(b);
                    }

                    var text = File.ReadAllText(path);
                    Console.WriteLine(text.Length);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_ReadAllLinesAsync_that_is_not_awaited_is_silent()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;

            class Import
            {
                Task<string[]> Run(string path) => File.ReadAllLinesAsync(path);
            }
            """).RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task A_foreach_over_ReadAllLines_reads_lines_lazily_with_the_encoding_kept()
        => Fix("""
            using System;
            using System.IO;
            using System.Text;

            class Import
            {
                void Run(string path)
                {
                    foreach (var line in [|File.ReadAllLines(path)|])
                    {
                        Console.WriteLine(line);
                    }

                    foreach (var line in [|File.ReadAllLines(path, Encoding.Latin1)|])
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Text;

            class Import
            {
                void Run(string path)
                {
                    foreach (var line in File.ReadLines(path))
                    {
                        Console.WriteLine(line);
                    }

                    foreach (var line in File.ReadLines(path, Encoding.Latin1))
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_local_queried_with_LINQ_becomes_ReadLines_and_a_typed_local_becomes_IEnumerable()
        => Fix("""
            using System;
            using System.Linq;
            using System.IO;

            class Import
            {
                int Run(string path)
                {
                    var lines = [|File.ReadAllLines(path)|];
                    foreach (var line in lines.Skip(1))
                    {
                        Console.WriteLine(line);
                    }

                    string[] other = [|File.ReadAllLines(path)|];
                    return other.Count(l => l.Length > 0);
                }
            }
            """, """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.IO;

            class Import
            {
                int Run(string path)
                {
                    var lines = File.ReadLines(path);
                    foreach (var line in lines.Skip(1))
                    {
                        Console.WriteLine(line);
                    }

                    IEnumerable<string> other = File.ReadLines(path);
                    return other.Count(l => l.Length > 0);
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_awaited_ReadAllLinesAsync_local_becomes_await_foreach_over_ReadLinesAsync()
        => Fix("""
            using System;
            using System.IO;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path, CancellationToken token)
                {
                    var lines = await [|File.ReadAllLinesAsync(path, Encoding.UTF8, token)|];
                    foreach (var line in lines)
                    {
                        Console.WriteLine(line);
                    }

                    foreach (var line in await [|File.ReadAllLinesAsync(path)|].ConfigureAwait(false))
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """, """
            using System;
            using System.IO;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path, CancellationToken token)
                {
                    await foreach (var line in File.ReadLinesAsync(path, Encoding.UTF8, token))
                    {
                        Console.WriteLine(line);
                    }

                    await foreach (var line in File.ReadLinesAsync(path).ConfigureAwait(false))
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_for_a_split_text_or_async_lines_queried_with_LINQ()
        => NoFix("""
            using System;
            using System.Linq;
            using System.IO;
            using System.Threading.Tasks;

            class Import
            {
                async Task Run(string path)
                {
                    foreach (var line in [|File.ReadAllText(path)|].Split('\n'))
                    {
                        Console.WriteLine(line);
                    }

                    var count = (await [|File.ReadAllLinesAsync(path)|]).Count(l => l.Length > 0);
                }
            }
            """).RunAsync();
}
