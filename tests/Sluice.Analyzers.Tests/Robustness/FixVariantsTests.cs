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
            .ExpectingFixes(23)
            .RunAsync();

    [Fact]
    public Task SLU201_swallowed_exception_with_the_runtime()
        => Verify.FixesOf<SwallowedExceptionAnalyzer, SwallowedExceptionCodeFix>()
            .WithSource(SwallowedTopLevel)
            .WithSource(SwallowedVariants)
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
        foreach (var line in new List<string> { "1", "x" })
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

        public class Row
        {
            public string? Name { get; set; }

            public void Save() { }
        }

        class Source
        {
            public List<Row>? Rows { get; set; }
        }

        class Conditional(ILogger logger)
        {
            void Run(Source? source)
            {
                foreach (var row in source?.Rows ?? new List<Row>())
                {
                    try { row?.Save(); }
                    catch (Exception ex) { logger.LogError(ex, "Row {Name} failed", row?.Name); }
                }
            }
        }

        class Dynamic(ILogger logger)
        {
            void Run(List<dynamic> rows, dynamic store)
            {
                foreach (var row in rows)
                {
                    try { store.Save(row); }
                    catch (Exception ex) { logger.LogError(ex, "Row failed"); continue; }
                }

                foreach (dynamic row in new object[] { 1, "two" })
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
            .WithSource(DroppedVariants)
            .WithLibraries(Library.Logging)
            .AsExecutable()
            .ExpectingFixes(14)
            .RunAsync();

    [Fact]
    public Task SLU202_record_dropped_with_the_runtime()
        => Verify.FixesOf<RecordDroppedAnalyzer, RecordDroppedCodeFix>()
            .WithSource(DroppedTopLevel)
            .WithSource(DroppedVariants)
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
        var semaphore = new SemaphoreSlim(1);
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
            .WithSource(InfiniteVariants)
            .AsExecutable()
            .ExpectingFixes(20)
            .RunAsync();

    // ---- SLU302 blocking wait -----------------------------------------------------------------------

    private const string BlockingTopLevel = """
        using System.Threading;
        using System.Threading.Tasks;

        var task = Task.Delay(1);
        task.Wait();
        var semaphore = new SemaphoreSlim(1);
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
            .WithSource(BlockingVariants)
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
                using var response = await http.GetAsync("u").ConfigureAwait(false);
                return await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
        }
        """;

    [Fact]
    public Task SLU303_no_deadline()
        => Verify.FixesOf<NoDeadlineAnalyzer, NoDeadlineCodeFix>()
            .WithSource(DeadlineTopLevel)
            .WithSource(DeadlineVariants)
            .AsExecutable()
            .ExpectingFixes(6)
            .RunAsync();

    [Fact]
    public Task SLU303_no_deadline_with_the_runtime()
        => Verify.FixesOf<NoDeadlineAnalyzer, NoDeadlineCodeFix>()
            .WithSource(DeadlineTopLevel)
            .WithSource(DeadlineVariants)
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
            .WithSource(AttemptTimeoutVariants)
            .WithLibraries(Library.Polly)
            .AsExecutable()
            .ExpectingFixes(6)
            .RunAsync();
}
