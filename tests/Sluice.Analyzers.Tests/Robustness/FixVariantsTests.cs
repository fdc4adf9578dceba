using Sluice.Analyzers.Concurrency;
using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Memory;
using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.Analyzers.Tests.Memory;
using Sluice.CodeFixes.Concurrency;
using Sluice.CodeFixes.Idempotency;
using Sluice.CodeFixes.Memory;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Robustness;

/// <summary>
/// Every fix of every rule over unusual forms of the rule's positive cases: the receiver or the call reached through
/// conditional access, <c>dynamic</c> values, the positive inside a nested lambda or a local function in a lambda,
/// top-level statements, expression-bodied members and lambdas, and the async forms (with ConfigureAwait) where the fix
/// has an async path. A fix with a runtime form runs with the Sluice runtime referenced: it then offers every action it
/// offers without the runtime, and the runtime form besides. Every action offered must register, apply, give the tree
/// of its text and compile, and so must Fix All (see <see cref="FixRobustnessTest"/>).
/// <para>
/// Each rule's variants share one executable project: the first document holds the top-level statements, the others
/// the variants, one type per document (<see cref="VariantDocuments"/>). <c>ExpectingFixes(n)</c> counts the variants
/// whose fix must be offered, so a rule that stops reporting, or a fix that stops being offered, fails here instead of
/// checking nothing; a variant that the analyzer or the fix leaves alone on purpose is said so in a comment and not
/// counted.
/// </para>
/// </summary>
public static class FixVariantsTests
{
    /// <summary>SLU2xx and SLU3xx. One test class per category, so the categories run in parallel with each other.</summary>
    public class Reliability
    {
        // ---- SLU201 swallowed exception -------------------------------------------------------------------

        private const string SwallowedTopLevel = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            foreach (var line in args)
            {
                try { Console.WriteLine(int.Parse(line)); }
                catch { }
            }

            Func<Task> later = async () =>
            {
                foreach (var line in args)
                {
                    try { await Task.Delay(int.Parse(line)).ConfigureAwait(false); }
                    catch (Exception) { return; }
                }
            };

            foreach (var line in args)
            {
                try { await later(); Console.WriteLine(line.Trim()); }
                catch (InvalidOperationException) { }
            }
            """;

        private const string SwallowedVariants = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            public record Record
            {
                public string? Name { get; set; }

                public void Save() { }
            }

            public record Holder
            {
                public Record? Current { get; set; }
            }

            class Conditional(ILogger logger)
            {
                void Run(IEnumerable<Record?> records, IEnumerable<Holder?> holders)
                {
                    foreach (var record in records)
                    {
                        try { record?.Save(); }
                        catch (Exception) { }
                    }

                    foreach (var holder in holders)
                    {
                        try { holder?.Current?.Save(); }
                        catch { return; }
                    }
                }

                int Length(IEnumerable<Holder?> holders)
                {
                    var total = 0;
                    foreach (var holder in holders)
                    {
                        try { total += holder?.Current?.Name?.Trim().Length ?? 0; }
                        catch (Exception) { return -1; }
                    }

                    return total;
                }

                ILogger Logger => logger;
            }

            class Dynamic(ILogger logger)
            {
                void Run(List<dynamic> records, dynamic sink, object[] values)
                {
                    foreach (var record in records)
                    {
                        try { sink.Write(record); }
                        catch (Exception) { continue; }
                    }

                    foreach (dynamic record in values)
                    {
                        try { Console.WriteLine(record.Length); }
                        catch { }
                    }
                }

                dynamic Sum(IEnumerable<dynamic> values)
                {
                    dynamic total = 0;
                    foreach (var value in values)
                    {
                        try { total += int.Parse(value); }
                        catch (Exception) { return value; }
                    }

                    return total;
                }

                void Log() => logger.LogInformation("dynamic");
            }

            class Nested(ILogger logger)
            {
                void Run(IEnumerable<string> lines, CancellationToken token)
                {
                    Action outer = () =>
                    {
                        Func<IEnumerable<string>, int> inner = batch =>
                        {
                            var total = 0;
                            foreach (var line in batch)
                            {
                                try { total += int.Parse(line); }
                                catch { return 0; }
                            }

                            return total;
                        };
                        inner(lines);

                        void Local()
                        {
                            foreach (var line in lines)
                            {
                                try { inner([line]); }
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
                                // No token in the try: a catch-all around a delay that only a token ends is about the cancellation.
                                try { await Task.Delay(int.Parse(line)).ConfigureAwait(false); }
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

                void Logged(ILogger log, string[] lines)
                {
                    Action outer = () =>
                    {
                        static void Isolated(string[] values)
                        {
                            foreach (var value in values)
                            {
                                try { Console.WriteLine(value.Trim()); }
                                catch { }
                            }
                        }

                        void Captures()
                        {
                            foreach (var line in lines)
                            {
                                try { Console.WriteLine(line.Trim()); }
                                catch { }
                            }
                        }

                        Isolated(lines);
                        Captures();
                    };
                    outer();
                }

                void Log() => logger.LogInformation("nested");
            }

            class ExpressionBodied(ILogger logger)
            {
                Action<string[]> Build() => lines =>
                {
                    foreach (var line in lines)
                    {
                        try { Console.WriteLine(line.Trim()); }
                        catch { }
                    }
                };

                Func<string[], int> Parser => lines =>
                {
                    var total = 0;
                    foreach (var line in lines)
                    {
                        try { total += int.Parse(line); }
                        catch (Exception) { return 0; }
                    }

                    return total;
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

            class Spans
            {
                void Run(string text)
                {
                    foreach (var line in text.AsSpan().EnumerateLines())
                    {
                        try { Console.WriteLine(int.Parse(line)); }
                        catch { }
                    }
                }
            }

            class Async(ILogger<Async> logger)
            {
                async Task<int> RunAsync(IAsyncEnumerable<string> lines, IReadOnlyList<string> batch, CancellationToken token)
                {
                    var total = 0;
                    await foreach (var line in lines.WithCancellation(token).ConfigureAwait(false))
                    {
                        try { total += int.Parse(line); await Task.Delay(1).ConfigureAwait(false); }
                        catch (Exception) { continue; }
                    }

                    foreach (var line in batch)
                    {
                        try { await Task.Delay(int.Parse(line)).ConfigureAwait(false); }
                        catch (Exception) { break; }
                    }

                    return total;
                }

                // The caller takes null for the order store's answer.
                async ValueTask<string?> ReadAsync(IOrderStore store, int id)
                {
                    try { return await store.LoadAsync(id).ConfigureAwait(false); }
                    catch (Exception) { return null; }
                }

                void Log() => logger.LogInformation("async");
            }

            public interface IOrderStore
            {
                Task<string> LoadAsync(int id);
            }
            """;

        [Fact]
        public Task SLU201_swallowed_exception()
            => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
                .WithSource(SwallowedTopLevel)
                .WithEachTypeAsADocument(SwallowedVariants)
                .WithLibraries(Library.Logging, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(23)
                .RunAsync();

        // ---- SLU202 record dropped ----------------------------------------------------------------------

        private const string DroppedTopLevel = """
            using System;
            using System.Collections.Generic;
            using Microsoft.Extensions.Logging;
            using Microsoft.Extensions.Logging.Abstractions;

            ILogger logger = NullLogger.Instance;
            foreach (var line in args)
            {
                try { Console.WriteLine(int.Parse(line)); }
                catch (FormatException ex) { logger.LogWarning(ex, "Bad line {Line}", line); }
            }

            void Import(IEnumerable<string> lines)
            {
                foreach (var line in lines)
                {
                    try { Console.WriteLine(int.Parse(line)); }
                    catch (FormatException ex) { logger.LogWarning(ex, "Bad line"); continue; }
                }
            }

            Import(["2"]);
            """;

        private const string DroppedVariants = """
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Channels;
            using System.Threading.Tasks;
            using Microsoft.Extensions.Logging;

            public record Row
            {
                public string? Name { get; set; }

                public void Save() { }
            }

            class Conditional(ILogger logger)
            {
                void Run(IEnumerable<Row?> rows)
                {
                    foreach (var row in rows)
                    {
                        try { row?.Save(); }
                        catch (Exception ex) { logger.LogError(ex, "Row {Name} failed", row?.Name); }
                    }
                }
            }

            class Dynamic(ILogger logger)
            {
                void Run(List<dynamic> rows, dynamic store, object[] values)
                {
                    foreach (var row in rows)
                    {
                        try { store.Save(row); }
                        catch (Exception ex) { logger.LogError(ex, "Row failed"); continue; }
                    }

                    foreach (dynamic row in values)
                    {
                        try { Console.WriteLine(row.Name); }
                        catch (Exception ex) { logger.LogError(ex, "Row failed"); }
                    }
                }
            }

            class Nested
            {
                void Run(IEnumerable<string> lines, ILogger logger, CancellationToken token)
                {
                    Action outer = () =>
                    {
                        Action<IEnumerable<string>> inner = items =>
                        {
                            foreach (var item in items)
                            {
                                try { Console.WriteLine(int.Parse(item)); }
                                catch (FormatException ex) { logger.LogError(ex, "Bad item"); }
                            }
                        };
                        inner(lines);

                        void Local()
                        {
                            foreach (var line in lines)
                            {
                                try { Console.WriteLine(int.Parse(line)); }
                                catch (FormatException ex) { logger.LogError(ex, "Bad line"); continue; }
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
                                catch (FormatException ex) { logger.LogError(ex, "Bad line"); }
                            }
                        };
                        await asyncInner();
                    };
                    _ = asyncOuter();

                    static void Isolated(IEnumerable<string> values, ILogger log)
                    {
                        foreach (var value in values)
                        {
                            try { Console.WriteLine(int.Parse(value)); }
                            catch (FormatException ex) { log.LogError(ex, "Bad value"); }
                        }
                    }

                    Isolated(lines, logger);
                }
            }

            class ExpressionBodied(ILogger logger)
            {
                Action<IEnumerable<string>> Importer => lines =>
                {
                    foreach (var line in lines)
                    {
                        try { Console.WriteLine(int.Parse(line)); }
                        catch (FormatException ex) { logger.LogError(ex, "Bad line"); }
                    }
                };

                Func<IAsyncEnumerable<string>, Task> AsyncImporter() => async lines =>
                {
                    await foreach (var line in lines)
                    {
                        try { Console.WriteLine(int.Parse(line)); }
                        catch (FormatException ex) { logger.LogError(ex, "Bad line"); }
                    }
                };
            }

            class Async(ILogger<Async> logger)
            {
                async Task RunAsync(IAsyncEnumerable<string> lines, CancellationToken token)
                {
                    await foreach (var line in lines.WithCancellation(token).ConfigureAwait(false))
                    {
                        try { await Task.Delay(int.Parse(line), token).ConfigureAwait(false); }
                        catch (FormatException ex) { logger.LogError(ex, "Bad line {Line}", line); }
                    }
                }

                async Task DrainAsync(ChannelReader<string> reader)
                {
                    while (await reader.WaitToReadAsync().ConfigureAwait(false))
                    {
                        while (reader.TryRead(out var message))
                        {
                            try { Console.WriteLine(int.Parse(message)); }
                            catch (FormatException ex) { logger.LogError(ex, "Bad message"); }
                        }
                    }
                }
            }

            class Spans(ILogger logger)
            {
                void Run(string text)
                {
                    foreach (var line in text.AsSpan().EnumerateLines())
                    {
                        try { Console.WriteLine(int.Parse(line)); }
                        catch (FormatException ex) { logger.LogError(ex, "Bad line"); }
                    }
                }
            }
            """;

        [Fact]
        public Task SLU202_record_dropped()
            => Verify.FixesOf<RecordDroppedAnalyzer, RecordDroppedCodeFix>()
                .WithSource(DroppedTopLevel)
                .WithEachTypeAsADocument(DroppedVariants)
                .WithLibraries(Library.Logging, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(14)
                .RunAsync();

        // ---- SLU301 infinite timeout --------------------------------------------------------------------

        private const string InfiniteTopLevel = """
            using System;
            using System.Net.Http;
            using System.Threading;

            var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            // A gate shared with other components: a semaphore the program created itself is its own synchronization, not reported.
            var semaphore = Holder.Shared;
            semaphore.Wait(Timeout.Infinite);
            var entered = semaphore.Wait(Timeout.InfiniteTimeSpan);
            void Configure(HttpClient client) => client.Timeout = TimeSpan.FromMilliseconds(-1);
            Configure(http);
            """;

        private const string InfiniteVariants = """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public HttpClient? Http { get; set; }

                public SemaphoreSlim? Gate { get; set; }

                public static SemaphoreSlim Shared { get; } = new(1);
            }

            class Conditional
            {
                void Run(Holder? holder, SemaphoreSlim? semaphore, Task? task)
                {
                    if (holder?.Http is { } http)
                    {
                        http.Timeout = Timeout.InfiniteTimeSpan;
                    }

                    // A conditional wait discards a bool? that no check can negate: no fix on purpose for these three.
                    semaphore?.Wait(Timeout.Infinite);
                    holder?.Gate?.Wait(Timeout.InfiniteTimeSpan);
                    task?.Wait(-1);
                    var entered = semaphore?.Wait(Timeout.Infinite) ?? false;
                }
            }

            class Dynamic
            {
                void Run(dynamic settings, SemaphoreSlim semaphore)
                {
                    dynamic client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                    semaphore.Wait(Timeout.Infinite);
                    Console.WriteLine(settings.Name);
                    var handler = new SocketsHttpHandler { ConnectTimeout = Timeout.InfiniteTimeSpan, PooledConnectionLifetime = TimeSpan.FromSeconds((double)settings.Seconds) };
                    dynamic result = semaphore.Wait(Timeout.Infinite);
                }
            }

            class Nested
            {
                void Run(SemaphoreSlim semaphore, HttpClient http)
                {
                    Action outer = () =>
                    {
                        // The expression-bodied lambda discards the wait's result, where no check can be added: no fix on purpose.
                        Action inner = () => semaphore.Wait(Timeout.Infinite);
                        Func<bool> check = () => semaphore.Wait(Timeout.Infinite);
                        void Local() { semaphore.Wait(Timeout.Infinite); }
                        Action configure = () => { http.Timeout = Timeout.InfiniteTimeSpan; };
                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                HttpClient Create() => new() { Timeout = Timeout.InfiniteTimeSpan };

                // Discards the wait's result where no check can be added: no fix on purpose.
                void Enter(SemaphoreSlim semaphore) => semaphore.Wait(Timeout.Infinite);

                bool TryEnter(SemaphoreSlim semaphore) => semaphore.Wait(Timeout.Infinite);

                HttpClient Client { get; } = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };

                void Configure(HttpClient http) => http.Timeout = Timeout.InfiniteTimeSpan;
            }

            class Async
            {
                async Task RunAsync(SemaphoreSlim semaphore, Task task)
                {
                    await semaphore.WaitAsync(Timeout.Infinite).ConfigureAwait(false);
                    var entered = await semaphore.WaitAsync(Timeout.InfiniteTimeSpan);
                    task.Wait(Timeout.Infinite);
                    // Task.Delay(Timeout.Infinite) gets no fix on purpose: a finite delay would let the code after it run.
                    await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU301_infinite_timeout()
            => Verify.FixesOf<InfiniteTimeoutAnalyzer, InfiniteTimeoutCodeFix>()
                .WithSource(InfiniteTopLevel)
                .WithEachTypeAsADocument(InfiniteVariants)
                .AsExecutable()
                .ExpectingFixes(20)
                .RunAsync();

        // ---- SLU302 blocking wait -----------------------------------------------------------------------

        private const string BlockingTopLevel = """
            using System.Threading;
            using System.Threading.Tasks;

            var task = Task.Delay(1);
            task.Wait();
            // A gate shared with other components: a semaphore the program created itself is its own synchronization, not reported.
            var semaphore = Holder.Shared;
            semaphore.Wait();
            using var cts = new CancellationTokenSource();
            var token = cts.Token;
            Task.WaitAll(task, Task.CompletedTask);
            void Local(Task t) => t.Wait();
            Local(task);
            static void Isolated(Task t) { t.Wait(); }
            Isolated(task);
            """;

        private const string BlockingVariants = """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public Task? Pending { get; set; }

                public SemaphoreSlim Gate { get; } = new(1);

                public static SemaphoreSlim Shared { get; } = new(1);

                public Task Done => Task.CompletedTask;
            }

            class Conditional
            {
                void Run(Task? task, Holder? holder, CancellationToken token)
                {
                    task?.Wait();
                    holder?.Pending?.Wait();
                    holder?.Gate.Wait();
                    holder?.Done.Wait();
                }

                // No token, and the timeout fix needs the wait to be a statement of its own to check its result: no fix on purpose.
                void WithoutToken(Task? task, Holder? holder)
                {
                    task?.Wait();
                    holder?.Gate.Wait();
                }

                async Task RunAsync(Task? task, Holder? holder, CancellationToken token)
                {
                    task?.Wait();
                    holder?.Gate.Wait();
                    await Task.Yield();
                }
            }

            class Dynamic
            {
                void Run(dynamic state, Task task, CancellationToken token)
                {
                    ((Task)state.Pending).Wait();
                    Task.WaitAll(task, (Task)state.Other);
                    dynamic result = Task.WaitAny(task);
                    var results = new List<dynamic> { 1 };
                    Task.Run(() => Console.WriteLine(results[0])).Wait();
                }

                async Task RunAsync(dynamic state, CancellationToken token)
                {
                    ((Task)state.Pending).Wait();
                    await Task.Yield();
                }
            }

            class Nested
            {
                void Run(Task task, SemaphoreSlim semaphore, CancellationToken token)
                {
                    Action outer = () =>
                    {
                        Action inner = () => task.Wait();
                        Action block = () => { semaphore.Wait(); };
                        void Local() { task.Wait(); }
                        static void Isolated(Task t) { t.Wait(); }
                        Func<Task> asyncInner = async () => { task.Wait(); await Task.Yield(); };
                        Func<Task> asyncExpression = async () => task.Wait();
                        inner();
                        block();
                        Local();
                        Isolated(task);
                    };
                    outer();
                }
            }

            // Without a token in scope, an expression-bodied wait has no statement where its result could be checked: no fix on
            // purpose for Wait, Signalled, Waiter and First.
            class ExpressionBodied
            {
                void Wait(Task task) => task.Wait();

                int Take(BlockingCollection<int> queue, CancellationToken token) => queue.Take();

                bool Signalled(ManualResetEvent handle) => handle.WaitOne();

                Action Waiter(Task task) => () => task.Wait();

                Task Pending { get; } = Task.CompletedTask;

                int First => Task.WaitAny(Pending);
            }

            class Async
            {
                async Task RunAsync(Task load, Task<int> a, SemaphoreSlim semaphore, CancellationToken token)
                {
                    load.Wait();
                    Task.WaitAll(a, load);
                    semaphore.Wait();
                    await load.ConfigureAwait(false);
                    if (a.IsCompleted) a.Wait();
                    lock (semaphore) { load.Wait(); }
                }

                async ValueTask RunWithoutTokenAsync(Task load)
                {
                    load.Wait();
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU302_blocking_wait()
            => Verify.FixesOf<BlockingWaitAnalyzer, BlockingWaitCodeFix>()
                .WithSource(BlockingTopLevel)
                .WithEachTypeAsADocument(BlockingVariants)
                .AsExecutable()
                .ExpectingFixes(29)
                .RunAsync();

        // ---- SLU303 no deadline -------------------------------------------------------------------------

        private const string DeadlineTopLevel = """
            using System.Net.Http;

            var http = new HttpClient();
            var text = await http.GetStringAsync("https://example.invalid/");
            System.Console.WriteLine(text);
            """;

        // Without the runtime, the deadline fix is offered for an async method with a block body whose calls are all in that
        // body: the top-level statements, the expression-bodied members, the calls in lambdas and local functions, and a
        // conditional call in an expression-bodied method get no fix on purpose. With the runtime, WithTimeoutAsync is offered
        // for the calls of any method, but not for a call reached through a conditional access or on a struct's own state
        // (a lambda can take neither), nor outside a method (the top-level statements, a property).
        private const string DeadlineVariants = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Holder
            {
                public HttpClient Http { get; } = new();

                public HttpClient? Maybe { get; set; }
            }

            class Conditional
            {
                async Task<string> FetchAsync(HttpClient? http) => await http?.GetStringAsync("u");

                async Task<string> ThroughAsync(Holder? holder) => await holder?.Http.GetStringAsync("u");

                async Task<string> BothAsync(Holder holder)
                {
                    var a = await holder.Maybe?.GetStringAsync("a");
                    var b = await holder?.Http.GetStringAsync("b");
                    return a + b;
                }
            }

            class Dynamic
            {
                async Task<string> FetchAsync(HttpClient http, dynamic request)
                {
                    string url = request.Url;
                    var text = await http.GetStringAsync(url);
                    dynamic parsed = text;
                    return await http.GetStringAsync((string)parsed.Next);
                }
            }

            class Nested
            {
                async Task<int> RunAsync(HttpClient http)
                {
                    Func<Task<string>> outer = () =>
                    {
                        Func<Task<string>> inner = () => http.GetStringAsync("a");
                        async Task<string> Local() => await http.GetStringAsync("b");
                        return inner();
                    };
                    return (await outer()).Length;
                }
            }

            class ExpressionBodied(HttpClient http)
            {
                Task<string> Fetch(string url) => http.GetStringAsync(url);

                async Task<string> FetchAsync(string url) => await http.GetStringAsync(url).ConfigureAwait(false);

                Task<string> Home => http.GetStringAsync("/");
            }

            struct Fetcher(HttpClient http)
            {
                private readonly HttpClient _http = http;

                Task<string> Fetch() => _http.GetStringAsync("u");
            }

            class Async
            {
                async Task<string> RunAsync(HttpClient http)
                {
                    // Read unbuffered, so the body read below is network I/O too.
                    using var response = await http.GetAsync("u", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                    return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU303_no_deadline()
            => Verify.FixesOf<NoDeadlineAnalyzer, NoDeadlineCodeFix>()
                .WithSource(DeadlineTopLevel)
                .WithEachTypeAsADocument(DeadlineVariants)
                .WithLibraries(Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(10)
                .RunAsync();

        // ---- SLU304 retry without attempt timeout -------------------------------------------------------

        private const string AttemptTimeoutTopLevel = """
            using Polly;
            using Polly.Retry;

            var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();
            await pipeline.ExecuteAsync(async ct => await System.Threading.Tasks.Task.Delay(1, ct)).ConfigureAwait(false);
            """;

        private const string AttemptTimeoutVariants = """
            using System;
            using System.Threading.Tasks;
            using Polly;
            using Polly.Retry;

            class Conditional
            {
                ResiliencePipeline? Create(ResiliencePipelineBuilder? builder) => builder?.AddRetry(new RetryStrategyOptions()).Build();

                // Not reported today: a builder reached through a conditional access.
                ResiliencePipeline Configure(ResiliencePipelineBuilder? builder)
                {
                    builder?.AddRetry(new RetryStrategyOptions());
                    return builder?.Build() ?? ResiliencePipeline.Empty;
                }
            }

            class Dynamic
            {
                ResiliencePipeline Create(dynamic settings)
                    => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = (int)settings.Attempts }).Build();
            }

            class Nested
            {
                Func<Func<ResiliencePipeline>> Factory() => () => () => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();

                void Run()
                {
                    Action outer = () =>
                    {
                        ResiliencePipeline<int> Build() => new ResiliencePipelineBuilder<int>()
                            .AddRetry(new RetryStrategyOptions<int>())
                            .Build();
                        Build();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                // Not reported today: the options written as a target-typed new().
                ResiliencePipeline Pipeline => new ResiliencePipelineBuilder().AddRetry(new()).Build();
            }

            class Async
            {
                async Task RunAsync()
                {
                    await new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build()
                        .ExecuteAsync(async ct => await Task.Delay(1, ct).ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU304_retry_without_attempt_timeout()
            => Verify.FixesOf<RetryWithoutAttemptTimeoutAnalyzer, RetryWithoutAttemptTimeoutCodeFix>()
                .WithSource(AttemptTimeoutTopLevel)
                .WithEachTypeAsADocument(AttemptTimeoutVariants)
                .WithLibraries(Library.Polly)
                .AsExecutable()
                .ExpectingFixes(6)
                .RunAsync();
    }

    /// <summary>SLU1xx.</summary>
    public class Memory
    {
        // ---- SLU101 unbounded query materialized ---------------------------------------------------------

        private const string QueryTopLevel = """
            using System;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            using var db = new ShopContext();
            foreach (var o in db.Orders.ToList())
            {
                Console.WriteLine(o.Id);
            }

            var open = await db.Orders.Where(o => o.Status == "open").ToListAsync().ConfigureAwait(false);
            foreach (var o in open)
            {
                Console.WriteLine(o.Id);
            }

            async Task Local(ShopContext context)
            {
                foreach (var o in await context.Orders.ToArrayAsync())
                    Console.WriteLine(o.Id);
            }

            await Local(db);
            """;

        private const string QueryVariants = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.EntityFrameworkCore;

            class Holder
            {
                public ShopContext? Db { get; set; }
            }

            class Conditional
            {
                void Run(Holder? holder, ShopContext? db, ShopContext fallback)
                {
                    // The list of a conditional access is not what the loop iterates: no fix on purpose for the first two.
                    foreach (var o in db?.Orders.ToList() ?? new List<Order>())
                    {
                        Console.WriteLine(o.Id);
                    }

                    var orders = holder?.Db?.Orders.Where(o => o.Amount > 0).ToList();
                    foreach (var o in orders ?? [])
                    {
                        Console.WriteLine(o.Id);
                    }

                    foreach (var o in (holder?.Db ?? fallback).Orders.ToList())
                    {
                        Console.WriteLine(o?.Id);
                    }
                }

                async Task RunAsync(Holder? holder, ShopContext fallback, CancellationToken token)
                {
                    foreach (var o in await (holder?.Db ?? fallback).Orders.ToListAsync(token))
                    {
                        Console.WriteLine(o?.Status?.Length);
                    }
                }
            }

            class Dynamic
            {
                void Run(ShopContext db, dynamic filter)
                {
                    string status = filter.Status;
                    foreach (var o in db.Orders.Where(o => o.Status == status).ToList())
                    {
                        dynamic row = o;
                        Console.WriteLine(row.Id);
                    }

                    var all = db.Orders.ToList();
                    foreach (dynamic o in all)
                    {
                        Console.WriteLine(o.Amount);
                    }
                }

                async Task RunAsync(ShopContext db, dynamic sink)
                {
                    foreach (dynamic o in await db.Orders.ToListAsync())
                    {
                        sink.Write(o);
                    }
                }
            }

            class Nested
            {
                void Run(ShopContext db)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            foreach (var o in db.Orders.ToList())
                            {
                                Console.WriteLine(o.Id);
                            }
                        };

                        void Local()
                        {
                            var orders = db.Orders.ToArray();
                            foreach (var o in orders)
                            {
                                Console.WriteLine(o.Id);
                            }
                        }

                        Func<Task> asyncInner = async () =>
                        {
                            foreach (var o in await db.Orders.ToListAsync().ConfigureAwait(false))
                            {
                                Console.WriteLine(o.Id);
                            }
                        };

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                // The list is returned: no fix on purpose for All and Snapshot.
                List<Order> All(ShopContext db) => db.Orders.ToList();

                Order[] Snapshot => new ShopContext().Orders.ToArray();

                Action Printer(ShopContext db) => () =>
                {
                    foreach (var o in db.Orders.ToList())
                    {
                        Console.WriteLine(o.Id);
                    }
                };

                Func<Task> AsyncPrinter(ShopContext db) => async () =>
                {
                    foreach (var o in await db.Orders.ToListAsync())
                    {
                        Console.WriteLine(o.Id);
                    }
                };
            }

            class Async
            {
                async Task<decimal> RunAsync(ShopContext db, CancellationToken token)
                {
                    decimal total = 0;
                    var orders = await db.Orders.Where(o => o.Amount > 0).ToListAsync(token).ConfigureAwait(false);
                    foreach (var o in orders)
                    {
                        total += o.Amount;
                    }

                    foreach (var o in await db.Orders.ToArrayAsync(token).ConfigureAwait(false))
                    {
                        if (o.Amount > 10)
                        {
                            continue;
                        }

                        total -= o.Amount;
                    }

                    return total;
                }
            }
            """;

        [Fact]
        public Task SLU101_unbounded_query_materialized()
            => Verify.FixesOf<UnboundedQueryMaterializedAnalyzer, UnboundedQueryMaterializedCodeFix>()
                .WithSource(QueryTopLevel)
                .WithEachTypeAsADocument(QueryVariants)
                .WithSource(SLU101_UnboundedQueryMaterializedTests.Model)
                .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(15)
                .RunAsync();

        // ---- SLU102 whole file read ---------------------------------------------------------------------

        private const string FileTopLevel = """
            using System;
            using System.IO;
            using System.Linq;

            var path = args.Length > 0 ? args[0] : "in.txt";
            foreach (var line in File.ReadAllLines(path))
            {
                Console.WriteLine(line);
            }

            var count = File.ReadAllLines(path).Count(l => l.Length > 0);
            foreach (var line in await File.ReadAllLinesAsync(path).ConfigureAwait(false))
            {
                Console.WriteLine(line);
            }
            """;

        private const string FileVariants = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Text;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public string? Path { get; set; }
            }

            class Conditional
            {
                void Run(Holder? holder)
                {
                    foreach (var line in File.ReadAllLines(holder?.Path ?? "a.txt"))
                    {
                        Console.WriteLine(line);
                    }

                    // Not reported today: the lines used through a conditional access.
                    var n = File.ReadAllLines("a.txt")?.Count(l => l.Length > 0) ?? 0;
                    var first = File.ReadAllLines("b.txt")?.FirstOrDefault(l => l.StartsWith('#'));
                    if (holder?.Path is { } path)
                    {
                        string[] lines = File.ReadAllLines(path);
                        foreach (var l in lines)
                        {
                            Console.WriteLine(l);
                        }
                    }
                }
            }

            class Dynamic
            {
                void Run(dynamic settings)
                {
                    string path = settings.Path;
                    foreach (var line in File.ReadAllLines(path))
                    {
                        dynamic parsed = line;
                        Console.WriteLine(parsed.Length);
                    }

                    foreach (dynamic line in File.ReadAllLines(path))
                    {
                        Console.WriteLine(line);
                    }

                    var lines = File.ReadAllLines((string)settings.Other);
                    foreach (var l in lines)
                    {
                        Console.WriteLine(l);
                    }

                    // A call with a dynamic argument is bound at run time, and not reported.
                    foreach (var line in File.ReadAllLines(settings.Path))
                    {
                        Console.WriteLine(line);
                    }
                }
            }

            class Nested
            {
                void Run(string path)
                {
                    Action outer = () =>
                    {
                        Func<int> inner = () => File.ReadAllLines(path).Count(l => l.Length > 0);

                        void Local()
                        {
                            foreach (var line in File.ReadAllLines(path))
                            {
                                Console.WriteLine(line);
                            }
                        }

                        Func<Task> asyncInner = async () =>
                        {
                            var lines = await File.ReadAllLinesAsync(path);
                            foreach (var l in lines)
                            {
                                Console.WriteLine(l);
                            }
                        };

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                int Count(string path) => File.ReadAllLines(path).Count(l => l.Length > 0);

                int Lines => File.ReadAllLines("a.txt").Count();

                Func<string, string?> First => path => File.ReadAllLines(path).FirstOrDefault();
            }

            class Async
            {
                async Task RunAsync(string path, CancellationToken token)
                {
                    foreach (var line in await File.ReadAllLinesAsync(path, token).ConfigureAwait(false))
                    {
                        Console.WriteLine(line);
                    }

                    string[] lines = await File.ReadAllLinesAsync(path, Encoding.UTF8, token);
                    foreach (var line in lines)
                    {
                        Console.WriteLine(line);
                    }
                }
            }
            """;

        [Fact]
        public Task SLU102_whole_file_read()
            => Verify.FixesOf<WholeFileReadAnalyzer, WholeFileReadCodeFix>()
                .WithSource(FileTopLevel)
                .WithEachTypeAsADocument(FileVariants)
                .AsExecutable()
                .ExpectingFixes(16)
                .RunAsync();

        // ---- SLU103 buffered Dapper query ---------------------------------------------------------------

        private const string DapperTopLevel = """
            using System;
            using System.Data.Common;
            using Dapper;

            DbConnection connection = null!;
            foreach (var order in connection.Query<Order>("SELECT * FROM Orders"))
            {
                Console.WriteLine(order.Id);
            }

            foreach (var order in await connection.QueryAsync<Order>("SELECT * FROM Orders"))
            {
                Console.WriteLine(order.Id);
            }
            """;

        private const string DapperVariants = """
            using System;
            using System.Collections.Generic;
            using System.Data;
            using System.Data.Common;
            using System.Threading;
            using System.Threading.Tasks;
            using Dapper;

            public class Order
            {
                public int Id { get; set; }
            }

            class Holder
            {
                public DbConnection? Connection { get; set; }

                public DbConnection Open { get; } = null!;
            }

            class Conditional
            {
                // The rows of a conditional access are not what the loop iterates: no fix on purpose for these three.
                void Run(Holder? holder, IDbConnection? db)
                {
                    foreach (var order in db?.Query<Order>("SELECT * FROM Orders") ?? [])
                    {
                        Console.WriteLine(order.Id);
                    }

                    var rows = holder?.Connection?.Query<Order>("SELECT * FROM Orders");
                    foreach (var order in rows!)
                    {
                        Console.WriteLine(order.Id);
                    }
                }

                async Task RunAsync(Holder? holder)
                {
                    foreach (var order in await holder?.Open.QueryAsync<Order>("SELECT * FROM Orders"))
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }

            class Dynamic
            {
                void Run(IDbConnection db, dynamic filter)
                {
                    foreach (var row in db.Query("SELECT * FROM Orders"))
                    {
                        Console.WriteLine(row.Id);
                    }

                    foreach (var order in db.Query<Order>("SELECT * FROM Orders WHERE Status = @status", new { status = (string)filter.Status }))
                    {
                        Console.WriteLine(order.Id);
                    }
                }

                async Task RunAsync(DbConnection db)
                {
                    foreach (var row in await db.QueryAsync("SELECT * FROM Orders"))
                    {
                        Console.WriteLine(row.Id);
                    }
                }
            }

            class Nested
            {
                void Run(IDbConnection db, DbConnection connection)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            foreach (var order in db.Query<Order>("SELECT * FROM Orders"))
                            {
                                Console.WriteLine(order.Id);
                            }
                        };

                        void Local()
                        {
                            var rows = db.Query<Order>(new CommandDefinition("SELECT * FROM Orders"));
                            foreach (var r in rows)
                            {
                                Console.WriteLine(r.Id);
                            }
                        }

                        Func<Task> asyncInner = async () =>
                        {
                            foreach (var order in await connection.QueryAsync<Order>("SELECT * FROM Orders"))
                            {
                                Console.WriteLine(order.Id);
                            }
                        };

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                // Returned rather than enumerated by a loop: no fix on purpose.
                IEnumerable<Order> All(IDbConnection db) => db.Query<Order>("SELECT * FROM Orders");

                Action Printer(IDbConnection db) => () =>
                {
                    foreach (var o in db.Query<Order>("SELECT * FROM Orders", buffered: true))
                    {
                        Console.WriteLine(o.Id);
                    }
                };
            }

            class Async
            {
                async Task RunAsync(DbConnection db, CancellationToken token)
                {
                    var rows = await db.QueryAsync<Order>(new CommandDefinition("SELECT * FROM Orders", cancellationToken: token));
                    foreach (var r in rows)
                    {
                        Console.WriteLine(r.Id);
                    }

                    // The async fix rewrites 'await db.QueryAsync(...)' only: with ConfigureAwait it is not offered.
                    foreach (var r in await db.QueryAsync<Order>("SELECT * FROM Orders").ConfigureAwait(false))
                    {
                        Console.WriteLine(r.Id);
                    }
                }
            }
            """;

        [Fact]
        public Task SLU103_buffered_Dapper_query()
            => Verify.FixesOf<BufferedDapperQueryAnalyzer, BufferedDapperQueryCodeFix>()
                .WithSource(DapperTopLevel)
                .WithEachTypeAsADocument(DapperVariants)
                .WithLibraries(Library.Dapper)
                .AsExecutable()
                .ExpectingFixes(9)
                .RunAsync();

        // ---- SLU105 whole JSON array deserialized -------------------------------------------------------

        private const string JsonTopLevel = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Text.Json;

            using var stream = File.OpenRead("orders.json");
            foreach (var order in JsonSerializer.Deserialize<List<Order>>(stream) ?? [])
            {
                Console.WriteLine(order.Id);
            }

            // The loop iterates 'more!', not the local itself: no fix on purpose.
            var more = await JsonSerializer.DeserializeAsync<Order[]>(stream).ConfigureAwait(false);
            foreach (var order in more!)
            {
                Console.WriteLine(order.Id);
            }
            """;

        private const string JsonVariants = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            public class Order
            {
                public int Id { get; set; }
            }

            class Holder
            {
                public Stream? Body { get; set; }
            }

            class Conditional
            {
                async Task RunAsync(Holder? holder, Stream stream)
                {
                    foreach (var order in JsonSerializer.Deserialize<List<Order>>(holder?.Body ?? Stream.Null) ?? [])
                    {
                        Console.WriteLine(order.Id);
                    }

                    // Counted, and filtered through a conditional access: no fix on purpose for these two.
                    var count = (await JsonSerializer.DeserializeAsync<List<Order>>(stream))?.Count;
                    foreach (var order in JsonSerializer.Deserialize<List<Order>>(stream)?.Where(o => o.Id > 0) ?? [])
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }

            class Dynamic
            {
                async Task RunAsync(Stream stream, dynamic sink)
                {
                    foreach (var item in JsonSerializer.Deserialize<List<dynamic>>(stream)!)
                    {
                        Console.WriteLine(item);
                    }

                    foreach (dynamic order in (await JsonSerializer.DeserializeAsync<Order[]>(stream))!)
                    {
                        sink.Write(order);
                    }
                }
            }

            class Nested
            {
                void Run(Stream stream)
                {
                    Action outer = () =>
                    {
                        // The loop iterates 'orders!', not the local itself: no fix on purpose.
                        Func<Task> inner = async () =>
                        {
                            var orders = await JsonSerializer.DeserializeAsync<List<Order>>(stream);
                            foreach (var order in orders!)
                            {
                                Console.WriteLine(order.Id);
                            }
                        };

                        async Task Local()
                        {
                            foreach (var order in JsonSerializer.Deserialize<Order[]>(stream) ?? [])
                            {
                                Console.WriteLine(order.Id);
                            }
                        }

                        // Not async: the synchronous Deserialize cannot become an await foreach, no fix on purpose.
                        Action sync = () =>
                        {
                            foreach (var order in JsonSerializer.Deserialize<Order[]>(stream) ?? [])
                            {
                                Console.WriteLine(order.Id);
                            }
                        };

                        _ = inner();
                        _ = Local();
                        sync();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                // Returned: no fix on purpose.
                List<Order>? Read(Stream stream) => JsonSerializer.Deserialize<List<Order>>(stream);

                Func<Stream, Task> Printer => async stream =>
                {
                    foreach (var order in (await JsonSerializer.DeserializeAsync<List<Order>>(stream))!)
                    {
                        Console.WriteLine(order.Id);
                    }
                };
            }

            class Async
            {
                async Task RunAsync(Stream stream, JsonSerializerOptions options, CancellationToken token)
                {
                    var orders = await JsonSerializer.DeserializeAsync<List<Order>>(stream, options, token).ConfigureAwait(false) ?? new List<Order>();
                    foreach (var order in orders)
                    {
                        Console.WriteLine(order.Id);
                    }
                }
            }
            """;

        [Fact]
        public Task SLU105_whole_JSON_array_deserialized()
            => Verify.FixesOf<WholeJsonArrayDeserializedAnalyzer, WholeJsonArrayDeserializedCodeFix>()
                .WithSource(JsonTopLevel)
                .WithEachTypeAsADocument(JsonVariants)
                .AsExecutable()
                .ExpectingFixes(7)
                .RunAsync();

        // ---- SLU106 dataset collected on the driver ------------------------------------------------------

        /// <summary>The shape of .NET for Apache Spark's DataFrame, as the rule's tests declare it.</summary>
        private const string Spark = """
            using System.Collections.Generic;

            namespace Microsoft.Spark.Sql
            {
                public class Row
                {
                    public object Get(int i) => throw null!;
                }

                public class DataFrame
                {
                    public IEnumerable<Row> Collect() => throw null!;
                    public IEnumerable<Row> ToLocalIterator() => throw null!;
                    public DataFrame Filter(string condition) => this;
                }
            }
            """;

        private const string SparkTopLevel = """
            using System;
            using Microsoft.Spark.Sql;

            DataFrame frame = null!;
            foreach (var row in frame.Collect())
            {
                Console.WriteLine(row.Get(0));
            }
            """;

        private const string SparkVariants = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.Spark.Sql;

            class Holder
            {
                public DataFrame Frame { get; } = null!;
            }

            class Conditional
            {
                // The rows of a conditional access are not what the loop iterates, and a count needs them all: no fix on purpose.
                void Run(DataFrame? frame, Holder? holder)
                {
                    foreach (var row in frame?.Collect() ?? [])
                    {
                        Console.WriteLine(row.Get(0));
                    }

                    foreach (var row in holder?.Frame.Filter("a > 0").Collect() ?? [])
                    {
                        Console.WriteLine(row.Get(0));
                    }

                    var count = frame?.Collect().Count(r => r.Get(0) is not null);
                }
            }

            class Dynamic
            {
                void Run(DataFrame frame, dynamic sink)
                {
                    foreach (dynamic row in frame.Collect())
                    {
                        sink.Write(row.Get(0));
                    }

                    var rows = frame.Filter((string)sink.Condition).Collect();
                    foreach (var row in rows)
                    {
                        Console.WriteLine(row.Get(0));
                    }
                }
            }

            class Nested
            {
                void Run(DataFrame frame)
                {
                    Action outer = () =>
                    {
                        Func<int> inner = () => frame.Collect().Count();

                        void Local()
                        {
                            foreach (var row in frame.Collect())
                            {
                                Console.WriteLine(row.Get(0));
                            }
                        }

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                int Count(DataFrame frame) => frame.Collect().Count();

                // FirstOrDefault is not a pass over the rows: no fix on purpose.
                Func<DataFrame, object?> First => frame => frame.Collect().FirstOrDefault()?.Get(0);
            }

            class Async
            {
                async Task RunAsync(DataFrame frame)
                {
                    foreach (var row in await Task.Run(() => frame.Collect()).ConfigureAwait(false))
                    {
                        Console.WriteLine(row.Get(0));
                    }
                }
            }
            """;

        [Fact]
        public Task SLU106_dataset_collected_on_the_driver()
            => Verify.FixesOf<DatasetCollectedOnDriverAnalyzer, DatasetCollectedOnDriverCodeFix>()
                .WithSource(SparkTopLevel)
                .WithEachTypeAsADocument(SparkVariants)
                .WithSource(Spark)
                .AsExecutable()
                .ExpectingFixes(7)
                .RunAsync();

        // ---- SLU107 stream accumulated ------------------------------------------------------------------

        private const string EfModel = """
            public class Order
            {
                public int Id { get; set; }

                public static Order Parse(string line) => new() { Id = int.Parse(line) };
            }

            public class Shop : Microsoft.EntityFrameworkCore.DbContext
            {
                public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
            }
            """;

        private const string AccumulatedTopLevel = """
            using System;
            using System.Collections.Generic;
            using System.IO;

            // Not in a block: no fix on purpose for the top-level loop.
            var orders = new List<Order>();
            foreach (var line in File.ReadLines("orders.txt"))
            {
                orders.Add(Order.Parse(line));
            }

            foreach (var order in orders)
            {
                Console.WriteLine(order.Id);
            }

            void Local(string path)
            {
                var ids = new List<int>();
                foreach (var line in File.ReadLines(path))
                {
                    ids.Add(int.Parse(line));
                }

                foreach (var id in ids)
                {
                    Console.WriteLine(id);
                }
            }

            Local("ids.txt");
            """;

        private const string AccumulatedVariants = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public string? Path { get; set; }
            }

            class Conditional
            {
                void Run(Holder? holder)
                {
                    var orders = new List<Order>();
                    foreach (var line in File.ReadLines(holder?.Path ?? "orders.txt"))
                    {
                        orders.Add(Order.Parse(line.Trim()));
                    }

                    foreach (var order in orders)
                    {
                        Console.WriteLine(order?.Id);
                    }
                }
            }

            class Dynamic
            {
                void Run(string path, dynamic sink)
                {
                    var items = new List<dynamic>();
                    foreach (var line in File.ReadLines(path))
                    {
                        items.Add(line);
                    }

                    foreach (var item in items)
                    {
                        sink.Write(item);
                    }
                }
            }

            class Nested
            {
                void Run(string path)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            var orders = new List<Order>();
                            foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
                            {
                                orders.Add(Order.Parse(line));
                            }

                            foreach (var order in orders)
                            {
                                Console.WriteLine(order.Id);
                            }
                        };

                        void Local()
                        {
                            List<string> lines = [];
                            foreach (var line in File.ReadLines(path))
                            {
                                lines.Add(line);
                            }

                            foreach (var line in lines)
                            {
                                Console.WriteLine(line);
                            }
                        }

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                Action<string> Importer => path =>
                {
                    var orders = new List<Order>();
                    foreach (var line in File.ReadLines(path))
                    {
                        orders.Add(Order.Parse(line));
                    }

                    foreach (var order in orders)
                    {
                        Console.WriteLine(order.Id);
                    }
                };
            }

            class Async
            {
                async Task RunAsync(string path, CancellationToken token)
                {
                    var ids = new List<string>();
                    await foreach (var line in File.ReadLinesAsync(path).WithCancellation(token).ConfigureAwait(false))
                    {
                        ids.Add(line);
                    }

                    foreach (var id in ids)
                    {
                        await Task.Delay(id.Length, token).ConfigureAwait(false);
                    }
                }
            }
            """;

        [Fact]
        public Task SLU107_stream_accumulated()
            => Verify.FixesOf<StreamAccumulatedAnalyzer, StreamAccumulatedCodeFix>()
                .WithSource(AccumulatedTopLevel)
                .WithEachTypeAsADocument(AccumulatedVariants)
                .WithSource(EfModel)
                .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(7)
                .RunAsync();

        // ---- SLU108 unit of work grows ------------------------------------------------------------------

        private const string UnitOfWorkTopLevel = """
            using System.IO;

            // Not in a block: no fix on purpose for the top-level loop.
            using var db = new Shop();
            foreach (var line in File.ReadLines("orders.txt"))
            {
                db.Add(Order.Parse(line));
            }

            db.SaveChanges();

            async System.Threading.Tasks.Task Copy(Shop source, Shop target)
            {
                foreach (var order in source.Orders)
                {
                    target.Orders.Add(new Order { Id = order.Id });
                }

                await target.SaveChangesAsync();
            }

            await Copy(db, new Shop());
            """;

        private const string UnitOfWorkVariants = """
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public Shop? Db { get; set; }
            }

            class Conditional
            {
                void Run(Holder? holder, Shop db, string? path)
                {
                    foreach (var line in File.ReadLines(path ?? "orders.txt"))
                    {
                        db.Add(Order.Parse(line));
                    }

                    db.SaveChanges();
                }

                // Not reported: the context is reached through a conditional access.
                void Maybe(Holder holder, string path)
                {
                    foreach (var line in File.ReadLines(path))
                    {
                        holder.Db?.Add(Order.Parse(line));
                    }

                    holder.Db?.SaveChanges();
                }
            }

            class Dynamic
            {
                // Not reported: the loop variable is dynamic.
                void Run(Shop db, string path, dynamic settings)
                {
                    foreach (dynamic line in File.ReadLines(path))
                    {
                        db.Add(new Order { Id = (int)int.Parse(line) });
                    }

                    db.SaveChanges();
                }
            }

            class Nested
            {
                void Run(Shop db, string path, IAsyncEnumerable<Order> changed)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            foreach (var line in File.ReadLines(path))
                            {
                                db.Add(Order.Parse(line));
                            }

                            db.SaveChanges();
                        };

                        async Task Local()
                        {
                            await foreach (var order in changed)
                            {
                                db.Update(order);
                            }

                            await db.SaveChangesAsync();
                        }

                        inner();
                        _ = Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                Func<Shop, Shop, Task> Copier => async (source, target) =>
                {
                    foreach (var order in source.Orders)
                    {
                        target.Orders.Add(new Order { Id = order.Id });
                    }

                    await target.SaveChangesAsync();
                };
            }

            class Async
            {
                // WithCancellation and ConfigureAwait cannot be carried over to InBatches: no fix on purpose.
                async Task RunAsync(Shop db, IAsyncEnumerable<Order> changed, CancellationToken token)
                {
                    await foreach (var order in changed.WithCancellation(token).ConfigureAwait(false))
                    {
                        db.Update(order);
                    }

                    await db.SaveChangesAsync(token).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU108_unit_of_work_grows()
            => Verify.FixesOf<UnitOfWorkGrowsAnalyzer, UnitOfWorkGrowsCodeFix>()
                .WithSource(UnitOfWorkTopLevel)
                .WithEachTypeAsADocument(UnitOfWorkVariants)
                .WithSource(EfModel)
                .WithLibraries(Library.EntityFrameworkCore, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(6)
                .RunAsync();
    }

    /// <summary>SLU4xx and SLU501.</summary>
    public class IdempotencyAndConcurrency
    {
        // ---- SLU401 non-idempotent write in a retry -----------------------------------------------------

        private const string WriteTopLevel = """
            using System.Net.Http;
            using System.Net.Http.Json;
            using Polly;

            var pipeline = ResiliencePipeline.Empty;
            var client = new HttpClient();
            var payment = new Payment { Id = 1 };
            await pipeline.ExecuteAsync(async ct =>
            {
                await client.PostAsync("/payments", JsonContent.Create(payment), ct);
            });

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await client.PostAsync("/payments", JsonContent.Create(payment));
                    break;
                }
                catch (HttpRequestException) when (attempt < 3)
                {
                    await System.Threading.Tasks.Task.Delay(100);
                }
            }

            // The request is declared by a top-level statement, not in a block, where the fix adds no header: no fix on purpose.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(payment) };
            await pipeline.ExecuteAsync(async ct => await client.SendAsync(request, ct));
            """;

        private const string WriteVariants = """
            using System;
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Threading;
            using System.Threading.Tasks;
            using Polly;
            using Sluice;

            public class Payment
            {
                public int Id { get; set; }

                public decimal Amount { get; set; }
            }

            class Holder
            {
                public HttpClient Client { get; } = new();

                public HttpClient? Maybe { get; set; }
            }

            class Conditional
            {
                async Task PayAsync(ResiliencePipeline pipeline, Holder? holder, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await holder?.Client.PostAsync("/payments", JsonContent.Create(payment), ct);
                        // A call on a conditional access itself ('client?.PatchAsync') gets no fix on purpose.
                        await holder!.Maybe?.PatchAsync($"/payments/{payment.Id}", JsonContent.Create(payment), ct);
                    });
                }
            }

            class Dynamic
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment, dynamic route)
                {
                    string uri = route.Uri;
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        dynamic receipt = await client.PostAsync(uri, JsonContent.Create(payment), ct);
                        Console.WriteLine(receipt.StatusCode);
                    });
                }
            }

            class Nested
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        Func<Task> send = async () => await client.PostAsync("/payments", JsonContent.Create(payment), ct);
                        async Task Patch() => await client.PatchAsync("/payments", JsonContent.Create(payment));
                        await send();
                        await Patch();
                    });
                }
            }

            class ExpressionBodied
            {
                Task<HttpResponseMessage> PayAsync(HttpClient client, Payment payment)
                    => SluiceResilience.RetryAsync(ct => client.PostAsync("/payments", JsonContent.Create(payment), ct));

                Task<HttpResponseMessage> SendAsync(HttpClient client, Payment payment)
                    => SluiceResilience.RetryAsync(async ct =>
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(payment) };
                        return await client.SendAsync(request, ct);
                    });
            }

            class Async
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var content = JsonContent.Create(payment);
                        await client.PostAsync("/payments", content, ct).ConfigureAwait(false);
                    }, token).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU401_non_idempotent_write_in_a_retry()
            => Verify.FixesOf<NonIdempotentWriteInRetryAnalyzer, NonIdempotentWriteInRetryCodeFix>()
                .WithSource(WriteTopLevel)
                .WithEachTypeAsADocument(WriteVariants)
                .WithLibraries(Library.Polly, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(9)
                .RunAsync();

        // ---- SLU402 hand-rolled retry -------------------------------------------------------------------

        private const string HandRolledTopLevel = """
            using System;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            // Not in a block: no fix on purpose for the top-level loop.
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                try
                {
                    File.Copy("a", "b", overwrite: true);
                    break;
                }
                catch (IOException)
                {
                    if (attempt == 3) throw;
                    Thread.Sleep(200);
                }
            }

            async Task<string> Fetch(Func<CancellationToken, Task<string>> call, CancellationToken token)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try { return await call(token).ConfigureAwait(false); }
                    catch (IOException) when (attempt < 4)
                    { await Task.Delay(100 * attempt, token).ConfigureAwait(false); }
                }
            }

            Console.WriteLine(await Fetch(_ => Task.FromResult(""), CancellationToken.None));
            """;

        private const string HandRolledVariants = """
            using System;
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Holder
            {
                public HttpClient? Client { get; set; }
            }

            class Conditional
            {
                async Task<string?> FetchAsync(Holder? holder, CancellationToken token)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return await holder?.Client?.GetStringAsync("u", token); }
                        catch (HttpRequestException) when (attempt < 3)
                        { await Task.Delay(100, token); }
                    }
                }
            }

            class Dynamic
            {
                void Save(dynamic store, dynamic record)
                {
                    for (var attempt = 1; attempt <= 3; attempt++)
                    {
                        try
                        {
                            store.Save(record);
                            return;
                        }
                        catch (IOException)
                        {
                            if (attempt == 3) throw;
                            Thread.Sleep(100);
                        }
                    }
                }

                dynamic Load(Func<dynamic> load)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return load(); }
                        catch (TimeoutException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }

            class Nested
            {
                void Run(Action step, CancellationToken token)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            for (var attempt = 1; attempt <= 3; attempt++)
                            {
                                try
                                {
                                    step();
                                    return;
                                }
                                catch (IOException)
                                {
                                    if (attempt == 3) throw;
                                    Thread.Sleep(100);
                                }
                            }
                        };

                        async Task Local()
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    await Task.Run(step, token);
                                    return;
                                }
                                catch (IOException) when (attempt < 3) { await Task.Delay(100, token); }
                            }
                        }

                        static void Isolated(Action work)
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    work();
                                    return;
                                }
                                catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                            }
                        }

                        inner();
                        _ = Local();
                        Isolated(step);
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                Func<Func<int>, int> Runner => step =>
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step(); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                };
            }

            // The rewrite would use the struct's field in a lambda (CS1673), which the fix's own compile check refuses: no fix.
            struct Retrier
            {
                private int _calls;

                int Run(Func<int> step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { _calls++; return step(); }
                        catch (IOException) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }

            class Async
            {
                async Task<string> FetchAsync(HttpClient http, CancellationToken token)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try
                        {
                            return await http.GetStringAsync("u", token).ConfigureAwait(false);
                        }
                        catch (HttpRequestException)
                        {
                            if (++attempt == 3) throw;
                            await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
                        }
                    }
                }
            }
            """;

        [Fact]
        public Task SLU402_hand_rolled_retry()
            => Verify.FixesOf<HandRolledRetryAnalyzer, HandRolledRetryCodeFix>()
                .WithSource(HandRolledTopLevel)
                .WithEachTypeAsADocument(HandRolledVariants)
                .WithLibraries(Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(9)
                .RunAsync();

        // ---- SLU403 retry handles every exception -------------------------------------------------------

        private const string EveryExceptionTopLevel = """
            using System;
            using System.Threading;
            using Polly;
            using Polly.Retry;

            var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Console.WriteLine(int.Parse("1"));
                    break;
                }
                catch (Exception) when (attempt < 3) { Thread.Sleep(100); }
            }
            """;

        private const string EveryExceptionVariants = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using Polly;
            using Polly.Retry;

            class Holder
            {
                public RetryStrategyOptions? Options { get; set; }
            }

            class Conditional
            {
                ResiliencePipeline? Create(ResiliencePipelineBuilder? builder) => builder?.AddRetry(new RetryStrategyOptions()).Build();

                int Run(Func<int>? step)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return step?.Invoke() ?? 0; }
                        catch (Exception) when (attempt < 3) { Thread.Sleep(100); }
                    }
                }
            }

            class Dynamic
            {
                RetryStrategyOptions Create(dynamic settings) => new() { MaxRetryAttempts = (int)settings.Attempts };

                dynamic Run(Func<dynamic> step)
                {
                    var attempt = 0;
                    while (true)
                    {
                        try { return step(); }
                        catch
                        {
                            if (++attempt == 3) throw;
                            Thread.Sleep(100);
                        }
                    }
                }
            }

            class Nested
            {
                void Run(Action step)
                {
                    Action outer = () =>
                    {
                        Func<RetryStrategyOptions> inner = () => new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<Exception>() };

                        void Local()
                        {
                            for (var attempt = 1; ; attempt++)
                            {
                                try
                                {
                                    step();
                                    return;
                                }
                                catch (Exception ex) when (attempt < 3 && ex is not OperationCanceledException) { Thread.Sleep(100); }
                            }
                        }

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                RetryStrategyOptions<int> Typed => new RetryStrategyOptions<int> { MaxRetryAttempts = 2 };

                ResiliencePipeline Pipeline() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<Exception>() }).Build();
            }

            class Async
            {
                async Task<string> RunAsync(Func<CancellationToken, Task<string>> call, CancellationToken token)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try { return await call(token).ConfigureAwait(false); }
                        catch when (attempt < 3) { await Task.Delay(100, token).ConfigureAwait(false); }
                    }
                }
            }
            """;

        [Fact]
        public Task SLU403_retry_handles_every_exception()
            => Verify.FixesOf<RetryHandlesEveryExceptionAnalyzer, RetryHandlesEveryExceptionCodeFix>()
                .WithSource(EveryExceptionTopLevel)
                .WithEachTypeAsADocument(EveryExceptionVariants)
                .WithLibraries(Library.Polly, Library.SluiceRuntime)
                .AsExecutable()
                .ExpectingFixes(10)
                .RunAsync();

        // ---- SLU404 retry without jitter ----------------------------------------------------------------

        private const string JitterTopLevel = """
            using System;
            using Polly;
            using Polly.Retry;

            var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build();
            var linear = new RetryStrategyOptions { BackoffType = DelayBackoffType.Linear, Delay = TimeSpan.FromSeconds(1) };
            """;

        private const string JitterVariants = """
            using System;
            using System.Threading.Tasks;
            using Polly;
            using Polly.Retry;

            class Conditional
            {
                ResiliencePipeline? Create(ResiliencePipelineBuilder? builder) => builder?.AddRetry(new RetryStrategyOptions()).Build();

                RetryStrategyOptions Configure(TimeSpan? delay) => new() { Delay = delay ?? TimeSpan.FromSeconds(1), BackoffType = DelayBackoffType.Constant };
            }

            class Dynamic
            {
                RetryStrategyOptions Create(dynamic settings) => new RetryStrategyOptions { Delay = TimeSpan.FromSeconds((double)settings.Seconds) };

                RetryStrategyOptions<dynamic> Typed() => new();
            }

            class Nested
            {
                Func<Func<RetryStrategyOptions>> Factory() => () => () => new RetryStrategyOptions
                {
                    BackoffType = DelayBackoffType.Linear,
                };

                void Run()
                {
                    Action outer = () =>
                    {
                        RetryStrategyOptions Local() => new() { UseJitter = false };
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                RetryStrategyOptions Options => new();

                ResiliencePipeline Pipeline() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2 }).Build();
            }

            class Async
            {
                async Task RunAsync()
                {
                    await new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()).Build()
                        .ExecuteAsync(async ct => await Task.Delay(1, ct).ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU404_retry_without_jitter()
            => Verify.FixesOf<RetryWithoutJitterAnalyzer, RetryWithoutJitterCodeFix>()
                .WithSource(JitterTopLevel)
                .WithEachTypeAsADocument(JitterVariants)
                .WithLibraries(Library.Polly)
                .AsExecutable()
                .ExpectingFixes(11)
                .RunAsync();

        // ---- SLU405 unbounded retry ---------------------------------------------------------------------

        private const string UnboundedTopLevel = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Polly.Retry;

            var http = new HttpClient();
            // Not in a block: no fix on purpose for the top-level loop.
            while (true)
            {
                try
                {
                    Console.WriteLine(await http.GetStringAsync("u"));
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                }
            }

            var options = new RetryStrategyOptions { MaxRetryAttempts = int.MaxValue };

            async Task<string> Fetch(string url)
            {
                while (true)
                {
                    try { return await http.GetStringAsync(url).ConfigureAwait(false); }
                    catch (HttpRequestException) { await Task.Delay(1000).ConfigureAwait(false); }
                }
            }

            Console.WriteLine(await Fetch("u"));
            """;

        private const string UnboundedVariants = """
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;
            using Polly.Retry;

            class Holder
            {
                public HttpClient? Http { get; set; }
            }

            class Conditional
            {
                async Task<string?> GetAsync(Holder? holder)
                {
                    while (true)
                    {
                        try { return await holder?.Http?.GetStringAsync("u"); }
                        catch (HttpRequestException) { await Task.Delay(1000); }
                    }
                }

                RetryStrategyOptions Configure(RetryStrategyOptions? options)
                {
                    var result = options ?? new RetryStrategyOptions();
                    result.MaxRetryAttempts = int.MaxValue;
                    return result;
                }
            }

            class Dynamic
            {
                dynamic Load(Func<dynamic> load)
                {
                    while (true)
                    {
                        try { return load(); }
                        catch (TimeoutException) { Thread.Sleep(100); }
                    }
                }

                RetryStrategyOptions Create(dynamic settings) => new() { MaxRetryAttempts = int.MaxValue, Delay = TimeSpan.FromSeconds((double)settings.Seconds) };
            }

            class Nested
            {
                void Run(Action step)
                {
                    Action outer = () =>
                    {
                        Action inner = () =>
                        {
                            while (true)
                            {
                                try
                                {
                                    step();
                                    return;
                                }
                                catch (TimeoutException) { Thread.Sleep(100); }
                            }
                        };

                        void Local()
                        {
                            for (; ; )
                            {
                                try
                                {
                                    step();
                                    break;
                                }
                                catch (TimeoutException ex) when (ex.Message.Length > 0) { Thread.Sleep(100); }
                                catch { Thread.Sleep(100); }
                            }
                        }

                        inner();
                        Local();
                    };
                    outer();
                }
            }

            class ExpressionBodied
            {
                RetryStrategyOptions Forever => new() { MaxRetryAttempts = int.MaxValue };

                Func<Func<int>, int> Runner => step =>
                {
                    do
                    {
                        try { return step(); }
                        catch (TimeoutException) { Thread.Sleep(100); }
                    }
                    while (true);
                };
            }

            class Async
            {
                async Task<string> GetAsync(HttpClient http, CancellationToken token)
                {
                    for (; ; )
                    {
                        try { return await http.GetStringAsync("u", token).ConfigureAwait(false); }
                        catch (HttpRequestException) { await Task.Delay(1000, token).ConfigureAwait(false); }
                    }
                }
            }
            """;

        [Fact]
        public Task SLU405_unbounded_retry()
            => Verify.FixesOf<UnboundedRetryAnalyzer, UnboundedRetryCodeFix>()
                .WithSource(UnboundedTopLevel)
                .WithEachTypeAsADocument(UnboundedVariants)
                .WithLibraries(Library.Polly)
                .AsExecutable()
                .ExpectingFixes(11)
                .RunAsync();

        // ---- SLU501 unbounded fan-out -------------------------------------------------------------------

        private const string FanOutTopLevel = """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;

            var ids = new List<int> { 1, 2, 3 };
            await Task.WhenAll(ids.Select(async id => await Task.Delay(id)));
            var tasks = ids.Select(id => Task.Delay(id));
            await Task.WhenAll(tasks).ConfigureAwait(false);

            // Expression-bodied: no statement that discards the result, no fix on purpose.
            async Task Push(IEnumerable<int> items) => await Task.WhenAll(items.Select(i => Task.Delay(i)));

            async Task PushAll(IEnumerable<int> items)
            {
                await Task.WhenAll(items.Select(i => Task.Delay(i)));
            }

            await Push(ids);
            await PushAll(ids);

            // Over the program's arguments, of unknown size: statements of the top-level program itself.
            await Task.WhenAll(args.Select(async arg => await Task.Delay(arg.Length)));
            var pending = args.Select(arg => Task.Delay(arg.Length));
            // The tasks local is declared by a top-level statement, not in a block, which the fix does not remove from: no fix on purpose.
            await Task.WhenAll(pending).ConfigureAwait(false);
            """;

        private const string FanOutVariants = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;

            public class Item
            {
                public int Id { get; set; }

                public Task? Pending { get; set; }
            }

            class Holder
            {
                public List<int> Ids { get; } = new();

                public List<int>? Maybe { get; set; }
            }

            class Conditional
            {
                // Not reported: the first two pass a '??' over the Select, not the Select itself; the third's selector starts no
                // work (it returns tasks that already exist).
                async Task PushAsync(Holder? holder, IEnumerable<Item?> items, CancellationToken token)
                {
                    await Task.WhenAll(holder?.Ids.Select(id => Task.Delay(id, token)) ?? []);
                    await Task.WhenAll(holder!.Maybe?.Select(id => Task.Delay(id)) ?? Enumerable.Empty<Task>());
                    await Task.WhenAll(items.Select(item => item?.Pending ?? Task.CompletedTask));
                    await Task.WhenAll(items.Select(async item => await (item?.Pending ?? Task.CompletedTask)));
                }
            }

            class Dynamic
            {
                async Task PushAsync(IEnumerable<int> ids, dynamic sender)
                {
                    await Task.WhenAll(ids.Select(id => (Task)sender.SendAsync(id)));
                    await Task.WhenAll(ids.Select(async id => { dynamic result = await Task.FromResult(id); Console.WriteLine(result); }));
                }

                // Not reported: a dynamic item may be a component rather than data (and, expression-bodied, it would get no fix).
                async Task PushAllAsync(List<dynamic> items) => await Task.WhenAll(items.Select(item => Task.Delay((int)item)));
            }

            class Nested
            {
                void Run(IEnumerable<int> ids, CancellationToken token)
                {
                    Func<Task> outer = async () =>
                    {
                        Func<Task> inner = async () =>
                        {
                            await Task.WhenAll(ids.Select(id => Task.Delay(id, token)));
                        };

                        async Task Local()
                        {
                            await Task.WhenAll(ids.Select(async id => await Task.Delay(id)));
                        }

                        static async Task Isolated(IEnumerable<int> values)
                        {
                            await Task.WhenAll(values.Select(v => Task.Delay(v)));
                        }

                        await inner();
                        await Local();
                        await Isolated(ids);
                    };
                    _ = outer();
                }
            }

            class ExpressionBodied
            {
                // Expression-bodied: no statement that discards the result, no fix on purpose for PushAsync and PushAwaitedAsync.
                Task PushAsync(IEnumerable<int> ids) => Task.WhenAll(ids.Select(id => Task.Delay(id)));

                async Task PushAwaitedAsync(IEnumerable<int> ids) => await Task.WhenAll(ids.Select(SendAsync));

                Func<IEnumerable<int>, Task> Pusher => async ids =>
                {
                    await Task.WhenAll(ids.Select(SendAsync));
                };

                Task SendAsync(int id) => Task.Delay(id);
            }

            // The body would call the struct's own method from a lambda (CS1673): no fix.
            struct Sender
            {
                private int _sent;

                async Task PushAsync(IEnumerable<int> ids)
                {
                    await Task.WhenAll(ids.Select(SendAsync));
                }

                Task SendAsync(int id)
                {
                    _sent++;
                    return Task.Delay(id);
                }
            }

            class Async
            {
                async Task PushAsync(IEnumerable<int> ids, CancellationToken token)
                {
                    await Task.WhenAll(ids.Select(async id => await Task.Delay(id, token).ConfigureAwait(false))).ConfigureAwait(false);
                    var tasks = ids.Select(id => Task.Delay(id, token)).ToList();
                    await Task.WhenAll(tasks).ConfigureAwait(false);
                }
            }
            """;

        [Fact]
        public Task SLU501_unbounded_fan_out()
            => Verify.FixesOf<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>()
                .WithSource(FanOutTopLevel)
                .WithEachTypeAsADocument(FanOutVariants)
                .AsExecutable()
                .ExpectingFixes(10)
                .RunAsync();
    }
}
