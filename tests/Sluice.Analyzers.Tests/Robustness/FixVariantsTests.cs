using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Robustness;

/// <summary>
/// Every fix of every rule over unusual forms of the rule's positive cases: the receiver or the call reached through
/// conditional access, <c>dynamic</c> values, the positive inside a nested lambda or a local function in a lambda,
/// top-level statements, expression-bodied members and lambdas, and the async forms (with ConfigureAwait) where the fix
/// has an async path — each with and without the Sluice runtime where the fix has a runtime form. Every action offered
/// must register, apply, give the tree of its text and compile, and so must Fix All (see <see cref="FixRobustnessTest"/>).
/// <para>
/// Each rule's variants share one executable project: the first document holds the top-level statements, the others
/// the variants in members. <c>ExpectingFixes(n)</c> counts the variants whose fix must be offered, so a rule that stops
/// reporting, or a fix that stops being offered, fails here instead of checking nothing; a variant that the analyzer
/// or the fix leaves alone on purpose is said so in a comment and not counted.
/// </para>
/// </summary>
public class FixVariantsTests
{
    // ---- SLU201 swallowed exception -------------------------------------------------------------------

    private const string SwallowedTopLevel = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;

        var lines = new List<string> { "1", "x" };
        foreach (var line in lines)
        {
            try { Console.WriteLine(int.Parse(line)); }
            catch { }
        }

        Func<Task> later = async () =>
        {
            try { await Task.Delay(1).ConfigureAwait(false); }
            catch (Exception) { return; }
        };

        try { await later(); }
        catch (InvalidOperationException) { }
        """;

    private const string SwallowedVariants = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.Logging;

        public class Record
        {
            public string? Name { get; set; }

            public void Save() { }
        }

        class Holder
        {
            public Record? Current { get; set; }
        }

        class Conditional(ILogger logger)
        {
            void Run(IEnumerable<Record?> records, Holder? holder)
            {
                foreach (var record in records)
                {
                    try { record?.Save(); }
                    catch (Exception) { }
                }

                try { holder?.Current?.Save(); }
                catch { return; }
            }

            int Length(Holder? holder)
            {
                try { return holder?.Current?.Name?.Length ?? 0; }
                catch (Exception) { return -1; }
            }

            ILogger Logger => logger;
        }

        class Dynamic(ILogger logger)
        {
            void Run(List<dynamic> records, dynamic sink)
            {
                foreach (var record in records)
                {
                    try { sink.Write(record); }
                    catch (Exception) { continue; }
                }

                foreach (dynamic record in new object[] { 1, "two" })
                {
                    try { Console.WriteLine(record.Length); }
                    catch { }
                }
            }

            dynamic Parse(dynamic value)
            {
                try { return int.Parse(value); }
                catch (Exception) { return value; }
            }

            void Log() => logger.LogInformation("dynamic");
        }

        class Nested(ILogger logger)
        {
            void Run(IEnumerable<string> lines, CancellationToken token)
            {
                Action outer = () =>
                {
                    Func<string, int> inner = line =>
                    {
                        try { return int.Parse(line); }
                        catch { return 0; }
                    };
                    inner("1");

                    void Local()
                    {
                        foreach (var line in lines)
                        {
                            try { inner(line); }
                            catch (FormatException) { }
                        }
                    }

                    Local();
                };
                outer();

                Func<Task> asyncOuter = async () =>
                {
                    Func<Task> asyncInner = async () =>
                    {
                        foreach (var line in lines)
                        {
                            try { await Task.Delay(int.Parse(line), token).ConfigureAwait(false); }
                            catch (Exception) { }
                        }
                    };
                    await asyncInner();
                };

                static void Isolated(IEnumerable<string> values)
                {
                    foreach (var value in values)
                    {
                        try { Console.WriteLine(int.Parse(value)); }
                        catch { }
                    }
                }

                Isolated(lines);
                Func<IEnumerable<string>, Task> isolatedAsync = static async values =>
                {
                    foreach (var value in values)
                    {
                        try { await Task.Delay(int.Parse(value)); }
                        catch { }
                    }
                };
                _ = isolatedAsync(lines);
            }

            void Logged(ILogger log)
            {
                Action outer = () =>
                {
                    static void Isolated()
                    {
                        try { Console.WriteLine(); }
                        catch { }
                    }

                    void Captures()
                    {
                        try { Console.WriteLine(); }
                        catch { }
                    }

                    Isolated();
                    Captures();
                };
                outer();
            }

            void Log() => logger.LogInformation("nested");
        }

        class ExpressionBodied(ILogger logger)
        {
            Action Build() => () =>
            {
                try { Console.WriteLine(); }
                catch { }
            };

            Func<string, int> Parser => text =>
            {
                try { return int.Parse(text); }
                catch (Exception) { return 0; }
            };

            Func<IEnumerable<string>, Task> Importer => async lines =>
            {
                foreach (var line in lines)
                {
                    try { await Task.Yield(); Console.WriteLine(int.Parse(line)); }
                    catch { }
                }
            };

            void Log() => logger.LogInformation("expression-bodied");
        }

        class Async(ILogger<Async> logger)
        {
            async Task<int> RunAsync(IAsyncEnumerable<string> lines, CancellationToken token)
            {
                var total = 0;
                await foreach (var line in lines.WithCancellation(token).ConfigureAwait(false))
                {
                    try { total += int.Parse(line); await Task.Delay(1, token).ConfigureAwait(false); }
                    catch (Exception) { continue; }
                }

                foreach (var line in new[] { "1" })
                {
                    try { await Task.Delay(int.Parse(line), token).ConfigureAwait(false); }
                    catch (Exception) { break; }
                }

                return total;
            }

            async ValueTask<string?> ReadAsync(Func<Task<string>> read)
            {
                try { return await read().ConfigureAwait(false); }
                catch (Exception) { return null; }
            }

            void Log() => logger.LogInformation("async");
        }
        """;

    [Fact]
    public Task SLU201_swallowed_exception()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource(SwallowedTopLevel)
            .WithSource(SwallowedVariants)
            .WithLibraries(Library.Logging)
            .AsExecutable()
            .ExpectingFixes(22)
            .RunAsync();

    [Fact]
    public Task SLU201_swallowed_exception_with_the_runtime()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource(SwallowedTopLevel)
            .WithSource(SwallowedVariants)
            .WithLibraries(Library.Logging, Library.SluiceRuntime)
            .AsExecutable()
            .ExpectingFixes(22)
            .RunAsync();
}
