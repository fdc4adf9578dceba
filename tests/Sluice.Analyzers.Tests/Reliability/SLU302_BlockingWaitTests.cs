using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Reliability;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU302_BlockingWaitTests
{
    private const string Waiters = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using System.Diagnostics;
        using System.Threading;
        using System.Threading.Tasks;

        class Waiters
        {
            void Run(Task task, List<Task> tasks, ManualResetEvent handle, SemaphoreSlim semaphore, ManualResetEventSlim slim,
                CountdownEvent countdown, Thread thread, Process process, object gate, BlockingCollection<int> queue, CancellationToken token)
            {
                WAIT;
            }
        }
        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<BlockingWaitAnalyzer>().WithSource(source);

    // ---- Positives ---------------------------------------------------------------------------

    [Theory]
    [InlineData("task.Wait()", "Task.Wait() blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever")]
    [InlineData("Task.WaitAll(task, task)", "Task.WaitAll() blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever")]
    [InlineData("Task.WaitAll(tasks)", "Task.WaitAll() blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever")]
    [InlineData("Task.WaitAny(task)", "Task.WaitAny() blocks with no timeout and no CancellationToken, so tasks that never complete hangs the job forever")]
    [InlineData("handle.WaitOne()", "WaitHandle.WaitOne() blocks with no timeout and no CancellationToken, so a signal that is never set hangs the job forever")]
    [InlineData("WaitHandle.WaitAll(new WaitHandle[] { handle })", "WaitHandle.WaitAll() blocks with no timeout and no CancellationToken, so a signal that is never set hangs the job forever")]
    [InlineData("semaphore.Wait()", "SemaphoreSlim.Wait() blocks with no timeout and no CancellationToken, so a slot that is never released hangs the job forever")]
    [InlineData("semaphore.Wait(CancellationToken.None)", "SemaphoreSlim.Wait() blocks with no timeout and no CancellationToken, so a slot that is never released hangs the job forever")]
    [InlineData("slim.Wait()", "ManualResetEventSlim.Wait() blocks with no timeout and no CancellationToken, so an event that is never set hangs the job forever")]
    [InlineData("countdown.Wait()", "CountdownEvent.Wait() blocks with no timeout and no CancellationToken, so a count that never reaches zero hangs the job forever")]
    [InlineData("thread.Join()", "Thread.Join() blocks with no timeout and no CancellationToken, so a thread that never ends hangs the job forever")]
    [InlineData("process.WaitForExit()", "Process.WaitForExit() blocks with no timeout and no CancellationToken, so a process that never exits hangs the job forever")]
    [InlineData("Monitor.Wait(gate)", "Monitor.Wait() blocks with no timeout and no CancellationToken, so a pulse that never comes hangs the job forever")]
    [InlineData("queue.Take()", "BlockingCollection.Take() blocks with no timeout and no CancellationToken, so an item that never arrives hangs the job forever")]
    public Task Each_blocking_wait_without_a_timeout_or_token_is_reported(string wait, string message)
        => Analyzer(Waiters.Replace("WAIT", "[|" + wait + "|]"))
            .WithMessages(message)
            .RunAsync();

    [Fact]
    public Task A_wait_on_the_component_s_own_event_is_reported_when_the_member_ignores_the_token_it_was_given()
        => Analyzer("""
            using System.Threading;
            using System.Threading.Tasks;

            class Exporter
            {
                private readonly ManualResetEventSlim _drained = new();

                public Task StopAsync(CancellationToken cancellationToken)
                {
                    [|_drained.Wait()|];
                    return Task.CompletedTask;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_wait_on_a_task_from_a_call_that_is_not_an_HttpClient_request_is_reported()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;

            class Archive
            {
                void Upload(Stream blob, Stream target) => [|blob.CopyToAsync(target).Wait()|];
            }
            """).RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Theory]
    [InlineData("task.Wait(TimeSpan.FromSeconds(5))")]
    [InlineData("task.Wait(5_000)")]
    [InlineData("task.Wait(token)")]
    [InlineData("task.Wait(Timeout.Infinite)")]
    [InlineData("Task.WaitAll(tasks, token)")]
    [InlineData("Task.WaitAll(new[] { task }, TimeSpan.FromSeconds(5))")]
    [InlineData("handle.WaitOne(1_000)")]
    [InlineData("semaphore.Wait(token)")]
    [InlineData("slim.Wait(TimeSpan.FromSeconds(1), token)")]
    [InlineData("thread.Join(1_000)")]
    [InlineData("process.WaitForExit(5_000)")]
    [InlineData("Monitor.Wait(gate, 1_000)")]
    [InlineData("queue.Take(token)")]
    [InlineData("queue.TryTake(out _, 1_000)")]
    public Task Waits_with_a_timeout_or_a_live_token_are_silent(string wait)
        => Analyzer(Waiters.Replace("WAIT", wait)).RunAsync();

    [Fact]
    public Task A_semaphore_the_component_holds_as_a_lock_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Threading;

            class RateCache
            {
                private static readonly SemaphoreSlim Refresh = new(1, 1);
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly Dictionary<string, decimal> _rates = new();

                public void Put(string currency, decimal rate)
                {
                    _gate.Wait();
                    try
                    {
                        _rates[currency] = rate;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                }

                public static void Reload()
                {
                    Refresh.Wait();
                    Refresh.Release();
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_idle_worker_waiting_on_its_own_signal_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;

            class PrintSpooler
            {
                private readonly AutoResetEvent _jobAdded = new(false);
                private readonly ConcurrentQueue<Action> _jobs = new();
                private readonly object _pending = new();
                private volatile bool _stopped;

                public void Loop()
                {
                    while (!_stopped)
                    {
                        while (_jobs.TryDequeue(out var job))
                        {
                            job();
                        }

                        _jobAdded.WaitOne();
                    }
                }

                public void Drain()
                {
                    lock (_pending)
                    {
                        Monitor.Wait(_pending);
                    }
                }

                public void Stop()
                {
                    _stopped = true;
                    _jobAdded.Set();
                }
            }
            """).RunAsync();

    [Fact]
    public Task WaitAny_over_handles_that_include_a_token_or_a_stop_signal_is_silent()
        => Analyzer("""
            using System.Threading;

            class Mailbox
            {
                private readonly ManualResetEvent _closed = new(false);
                private readonly AutoResetEvent _arrived = new(false);
                private readonly WaitHandle[] _wakeUps;

                public Mailbox() => _wakeUps = new WaitHandle[] { _closed, _arrived };

                public int Next(CancellationToken token, WaitHandle external)
                {
                    var handles = new[] { token.WaitHandle, external };
                    WaitHandle.WaitAny(handles);
                    return WaitHandle.WaitAny(_wakeUps);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Joining_the_component_s_own_worker_threads_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Threading;

            class Splitter
            {
                private readonly Thread _flusher;
                private volatile bool _done;

                public Splitter()
                {
                    _flusher = new Thread(() => { while (!_done) { Thread.Sleep(10); } });
                    _flusher.Start();
                }

                public void Run(int parts)
                {
                    var workers = new List<Thread>();
                    for (var i = 0; i < parts; i++)
                    {
                        var worker = new Thread(() => { });
                        worker.Start();
                        workers.Add(worker);
                    }

                    foreach (var worker in workers)
                    {
                        worker.Join();
                    }

                    var last = new Thread(() => { });
                    last.Start();
                    last.Join();
                }

                public void Flush()
                {
                    _done = true;
                    _flusher.Join();
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_synchronization_context_waiting_for_its_own_work_item_is_silent()
        => Analyzer("""
            using System.Collections.Concurrent;
            using System.Threading;

            sealed class PumpContext : SynchronizationContext
            {
                private readonly BlockingCollection<(SendOrPostCallback, object?, ManualResetEventSlim?)> _queue = new();

                public override void Send(SendOrPostCallback d, object? state)
                {
                    using var done = new ManualResetEventSlim();
                    _queue.Add((d, state, done));
                    done.Wait();
                }

                public void Pump()
                {
                    var (callback, state, done) = _queue.Take();
                    callback(state);
                    done?.Set();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Waits_on_work_with_its_own_timeout_are_silent()
        => Analyzer("""
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            namespace Microsoft.Extensions.Hosting
            {
                public interface IHost
                {
                    Task StopAsync(CancellationToken cancellationToken = default);
                }
            }

            class Probe
            {
                static Task<HttpResponseMessage> Ping(HttpClient client) => client.GetAsync("health");

                void Check(Microsoft.Extensions.Hosting.IHost host)
                {
                    using var client = new HttpClient();
                    client.GetAsync("health").Wait();
                    Ping(client).Wait();
                    host.StopAsync().Wait();
                }
            }
            """).RunAsync();

    [Fact]
    public Task Waiting_for_the_output_of_a_process_that_has_exited_is_silent()
        => Analyzer("""
            using System.Diagnostics;
            using System.Threading.Tasks;

            class Transcoder
            {
                string Probe(string file)
                {
                    using var process = Process.Start("probe", file)!;
                    var output = process.StandardOutput.ReadToEndAsync();
                    var errors = process.StandardError.ReadToEndAsync();
                    [|process.WaitForExit()|];
                    Task.WaitAll(output, errors);
                    return output.Result;
                }
            }
            """).RunAsync();

    [Fact]
    public Task Waits_in_seeding_code_or_on_a_seeding_task_are_silent()
        => Analyzer("""
            using System.Threading.Tasks;

            class CatalogSeed
            {
                public Task SeedAsync() => Task.CompletedTask;

                public void SeedNow(Task pending) => pending.Wait();
            }

            static class Program
            {
                static void Main() => new CatalogSeed().SeedAsync().Wait();
            }
            """).RunAsync();

    [Fact]
    public Task Awaiting_and_waits_of_other_types_are_silent()
        => Analyzer("""
            using System.Threading.Tasks;

            class Gate
            {
                public void Wait() { }
            }

            class Job
            {
                async Task RunAsync(Task task, Gate gate)
                {
                    await task;
                    gate.Wait();
                }
            }
            """).RunAsync();

    // ---- Options -------------------------------------------------------------------------------

    [Fact]
    public Task setup_names_replaces_the_name_patterns_of_setup_code()
        => Analyzer("""
            using System.Threading.Tasks;

            class CatalogSeed
            {
                public void SeedNow(Task pending) => [|pending.Wait()|];
            }

            class Warmup
            {
                public void Prime(Task pending) => pending.Wait();
            }
            """)
            .WithEditorConfig("sluice.SLU302.setup_names = Warm*")
            .RunAsync();

    // ---- Fixes ---------------------------------------------------------------------------------

    [Fact]
    public Task The_timeout_fix_checks_the_result_so_a_timeout_throws()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TimeoutKey)
            .WithSource("""
                using System.Diagnostics;
                using System.Threading;

                class Worker
                {
                    void Run(SemaphoreSlim semaphore, Process process)
                    {
                        [|semaphore.Wait()|];
                        [|process.WaitForExit()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Diagnostics;
                using System.Threading;

                class Worker
                {
                    void Run(SemaphoreSlim semaphore, Process process)
                    {
                        if (!semaphore.Wait(System.TimeSpan.FromSeconds(100)))
                        {
                            throw new System.TimeoutException("SemaphoreSlim.Wait did not complete within 100 seconds.");
                        }

                        if (!process.WaitForExit(System.TimeSpan.FromSeconds(100)))
                        {
                            throw new System.TimeoutException("Process.WaitForExit did not complete within 100 seconds.");
                        }
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_timeout_fix_wraps_params_tasks_in_an_array_and_checks_WaitAny_indexes()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TimeoutKey)
            .WithSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    void Run(Task<int> first, Task<string> second, WaitHandle[] handles)
                    {
                        [|Task.WaitAll(first, second)|];
                        [|Task.WaitAny(first, second)|];
                        [|WaitHandle.WaitAny(handles)|];
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    void Run(Task<int> first, Task<string> second, WaitHandle[] handles)
                    {
                        if (!Task.WaitAll(new Task[] { first, second }, TimeSpan.FromSeconds(100)))
                        {
                            throw new TimeoutException("Task.WaitAll did not complete within 100 seconds.");
                        }

                        if (Task.WaitAny(new Task[] { first, second }, TimeSpan.FromSeconds(100)) == -1)
                        {
                            throw new TimeoutException("Task.WaitAny did not complete within 100 seconds.");
                        }

                        if (WaitHandle.WaitAny(handles, TimeSpan.FromSeconds(100)) == WaitHandle.WaitTimeout)
                        {
                            throw new TimeoutException("WaitHandle.WaitAny did not complete within 100 seconds.");
                        }
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_timeout_fix_is_not_offered_where_the_result_is_used()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TimeoutKey)
            .WithSource("""
                using System.Collections.Concurrent;
                using System.Threading;

                class Worker
                {
                    bool Run(WaitHandle handle, BlockingCollection<int> queue)
                    {
                        [|queue.Take()|];
                        return [|handle.WaitOne()|];
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_token_fix_passes_the_token_in_scope()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TokenKey)
            .WithSource("""
                using System.Collections.Concurrent;
                using System.Threading;

                class Consumer
                {
                    private readonly CancellationToken _stopping;

                    public Consumer(CancellationToken stopping) => _stopping = stopping;

                    int Next(BlockingCollection<int> queue) => [|queue.Take()|];

                    void Enter(SemaphoreSlim semaphore, CancellationToken token)
                    {
                        [|semaphore.Wait()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Collections.Concurrent;
                using System.Threading;

                class Consumer
                {
                    private readonly CancellationToken _stopping;

                    public Consumer(CancellationToken stopping) => _stopping = stopping;

                    int Next(BlockingCollection<int> queue) => queue.Take(_stopping);

                    void Enter(SemaphoreSlim semaphore, CancellationToken token)
                    {
                        semaphore.Wait(token);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_token_fix_is_not_offered_without_a_token_or_a_token_overload()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TokenKey)
            .WithSource("""
                using System.Threading;

                class Worker
                {
                    void Run(SemaphoreSlim semaphore, Thread thread)
                    {
                        [|semaphore.Wait()|];
                    }

                    static void Join(Thread thread, CancellationToken token)
                    {
                        [|thread.Join()|];
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task In_async_code_the_first_fix_awaits_the_asynchronous_form_with_the_timeout_and_token()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>()
            .WithSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    async Task RunAsync(Task load, Task<int> a, Task<int> b, SemaphoreSlim semaphore, CancellationToken token)
                    {
                        [|load.Wait()|];
                        [|Task.WaitAll(a, b)|];
                        [|semaphore.Wait()|];
                        await Task.Yield();
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;
                using System.Threading.Tasks;

                class Worker
                {
                    async Task RunAsync(Task load, Task<int> a, Task<int> b, SemaphoreSlim semaphore, CancellationToken token)
                    {
                        await load.WaitAsync(TimeSpan.FromSeconds(100), token);
                        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(100), token);
                        if (!await semaphore.WaitAsync(TimeSpan.FromSeconds(100), token))
                        {
                            throw new TimeoutException("SemaphoreSlim.Wait did not complete within 100 seconds.");
                        }

                        await Task.Yield();
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_await_fix_is_not_offered_inside_a_lock_or_in_sync_code()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.AwaitKey)
            .WithSource("""
                using System.Threading.Tasks;

                class Worker
                {
                    private readonly object _gate = new();

                    async Task RunAsync(Task load)
                    {
                        lock (_gate)
                        {
                            [|load.Wait()|];
                        }

                        await Task.Yield();
                    }

                    void Run(Task load)
                    {
                        [|load.Wait()|];
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task timeout_seconds_sets_the_timeout_the_fix_writes()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TimeoutKey)
            .WithEditorConfig("sluice.SLU302.timeout_seconds = 15")
            .WithSource("""
                using System;
                using System.Threading;

                class Worker
                {
                    void Run(Thread thread)
                    {
                        [|thread.Join()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading;

                class Worker
                {
                    void Run(Thread thread)
                    {
                        if (!thread.Join(TimeSpan.FromSeconds(15)))
                        {
                            throw new TimeoutException("Thread.Join did not complete within 15 seconds.");
                        }
                    }
                }
                """)
            .RunAsync();

    // ---- Result reads: .Result and .GetAwaiter().GetResult() ---------------------------------------

    [Fact]
    public Task Reading_the_result_of_a_call_s_task_is_reported()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;

            class Archive
            {
                string Read(StreamReader reader) => [|reader.ReadToEndAsync().Result|];

                void Upload(Stream blob, Stream target) => [|blob.CopyToAsync(target).GetAwaiter().GetResult()|];

                int Fill(Stream source, byte[] buffer)
                {
                    var pending = source.ReadAsync(buffer, 0, buffer.Length);
                    return [|pending.ConfigureAwait(false).GetAwaiter().GetResult()|];
                }
            }
            """)
            .WithMessages(
                "Task.Result blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever",
                "Task.GetAwaiter().GetResult() blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever",
                "Task.GetAwaiter().GetResult() blocks with no timeout and no CancellationToken, so a task that never completes hangs the job forever")
            .RunAsync();

    [Fact]
    public Task Reading_the_result_of_a_task_that_is_not_a_call_s_unfinished_work_is_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;

            class Results
            {
                private readonly Task<int> _loaded = Task.FromResult(1);

                async Task<int> Sum(Stream source, byte[] buffer, Task<int> handedIn, List<Task<int>> batch, CancellationToken token)
                {
                    var first = source.ReadAsync(buffer, 0, 1);
                    var second = source.ReadAsync(buffer, 1, 1);
                    await Task.WhenAll(first, second);
                    var total = first.Result + second.GetAwaiter().GetResult();
                    total += _loaded.Result + handedIn.Result + batch[0].Result;
                    total += Task.FromResult(2).Result;
                    total += source.ReadAsync(buffer, 0, 1, token).Result;
                    total += await handedIn.ContinueWith(done => done.Result, token);
                    var pending = source.ReadAsync(buffer, 0, 1);
                    if (pending.IsCompletedSuccessfully)
                    {
                        total += pending.Result;
                    }

                    total += Task.Run(() => buffer.Length).Result;
                    return total + new ValueTask<int>(3).Result + new Scheduler().Start().GetAwaiter().GetResult();
                }
            }

            class Scheduler
            {
                public Task<int> Start() => Task.FromResult(0);
            }
            """).RunAsync();

    [Fact]
    public Task Reading_the_result_of_the_projects_own_async_method_is_silent_and_of_a_librarys_is_reported()
        => Analyzer("""
            using System.IO;
            using System.Threading.Tasks;

            class Catalog
            {
                void Refresh(StreamReader reader)
                {
                    var text = SaveAsync(reader).Result;
                    SaveAsync(reader).GetAwaiter().GetResult();
                }

                string Load(StreamReader reader) => [|reader.ReadToEndAsync().Result|];

                private async Task<string> SaveAsync(StreamReader reader) => await reader.ReadToEndAsync();
            }
            """).RunAsync();

    [Fact]
    public Task Reading_the_result_of_an_embedded_database_call_is_silent_as_SLU303_leaves_it()
        => Analyzer(SLU303_NoDeadlineTests.SqliteStub + """

            class LocalCache
            {
                void Warm(Microsoft.Data.Sqlite.SqliteConnection connection) => connection.OpenAsync().GetAwaiter().GetResult();

                object? Count(System.Data.Common.DbCommand command) => command.ExecuteScalarAsync().Result;
            }
            """).RunAsync();

    [Fact]
    public Task Reading_the_result_of_a_database_call_is_reported_when_a_network_provider_is_referenced_beside_SQLite()
        => Analyzer(SLU303_NoDeadlineTests.SqliteStub + """

            class Orders
            {
                void Warm(Microsoft.Data.Sqlite.SqliteConnection connection) => connection.OpenAsync().GetAwaiter().GetResult();

                object? Count(System.Data.Common.DbCommand command) => [|command.ExecuteScalarAsync().Result|];
            }
            """)
            .WithLibraries(Library.Npgsql)
            .RunAsync();

    [Fact]
    public Task Waiting_on_an_Azure_SDK_call_is_silent_as_its_retry_options_bound_every_try()
        => Analyzer("""
            using System.IO;
            using Azure.Messaging.ServiceBus;

            class Publisher
            {
                void Publish(ServiceBusSender sender, ServiceBusMessage message)
                {
                    sender.SendMessageAsync(message).Wait();
                    sender.CloseAsync().GetAwaiter().GetResult();
                }

                void Copy(Stream from, Stream to) => [|from.CopyToAsync(to).Wait()|];
            }
            """)
            .WithLibraries(Library.ServiceBus)
            .RunAsync();

    [Fact]
    public Task Reading_the_result_of_an_in_process_authorization_service_is_silent()
        => Analyzer("""
            using System.IO;
            using System.Security.Claims;
            using Microsoft.AspNetCore.Authorization;

            class OperationFilter
            {
                bool? Requires(IAuthorizationPolicyProvider policies, IAuthorizationService authorization, ClaimsPrincipal user, string name)
                    => policies.GetPolicyAsync(name).GetAwaiter().GetResult() is not null
                        && authorization.AuthorizeAsync(user, name).Result.Succeeded;

                string Load(StreamReader policyFile) => [|policyFile.ReadToEndAsync().Result|];
            }
            """)
            .WithLibraries(Library.AspNetCoreAuthorization)
            .RunAsync();

    [Fact]
    public Task Reading_the_result_of_work_with_its_own_timeout_or_of_setup_code_is_silent()
        => Analyzer("""
            using System.Diagnostics;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Probe
            {
                string Check(HttpClient client)
                {
                    var response = client.GetAsync("health").Result;
                    var body = response.Content.ReadAsStringAsync().Result;
                    return body + client.GetStringAsync("version").GetAwaiter().GetResult();
                }

                string Transcode(string file)
                {
                    using var process = Process.Start("probe", file)!;
                    [|process.WaitForExit()|];
                    return process.StandardOutput.ReadToEndAsync().Result;
                }
            }

            class CatalogSeed
            {
                public Task<int> SeedAsync() => Task.FromResult(0);

                public int Seed(Task<int> pending) => new CatalogSeed().SeedAsync().Result;
            }

            static class Program
            {
                static int Main() => new CatalogSeed().SeedAsync().GetAwaiter().GetResult();
            }
            """).RunAsync();

    [Fact]
    public Task Reading_the_body_of_a_response_received_unbuffered_is_reported()
        => Analyzer("""
            using System.Net.Http;

            class Download
            {
                string Fetch(HttpClient client)
                {
                    var response = client.GetAsync("export", HttpCompletionOption.ResponseHeadersRead).Result;
                    return [|response.Content.ReadAsStringAsync().Result|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task In_async_code_the_fix_awaits_the_task_with_the_timeout_and_token_in_place_of_the_result_read()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.AwaitKey)
            .WithSource("""
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                class Archive
                {
                    async Task<int> CopyAsync(StreamReader reader, Stream blob, Stream target, CancellationToken token)
                    {
                        var text = [|reader.ReadToEndAsync().Result|];
                        [|blob.CopyToAsync(target).GetAwaiter().GetResult()|];
                        [|blob.FlushAsync().ConfigureAwait(false).GetAwaiter().GetResult()|];
                        return [|reader.ReadLineAsync().Result|]!.Length + text.Length;
                    }
                }
                """)
            .WithFixedSource("""
                using System.IO;
                using System.Threading;
                using System.Threading.Tasks;

                class Archive
                {
                    async Task<int> CopyAsync(StreamReader reader, Stream blob, Stream target, CancellationToken token)
                    {
                        var text = await reader.ReadToEndAsync().WaitAsync(System.TimeSpan.FromSeconds(100), token);
                        await blob.CopyToAsync(target).WaitAsync(System.TimeSpan.FromSeconds(100), token);
                        await blob.FlushAsync().WaitAsync(System.TimeSpan.FromSeconds(100), token).ConfigureAwait(false);
                        return (await reader.ReadLineAsync().WaitAsync(System.TimeSpan.FromSeconds(100), token))!.Length + text.Length;
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_result_read_fix_is_not_offered_in_sync_code_or_a_lock()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>()
            .WithSource("""
                using System.IO;
                using System.Threading.Tasks;

                class Archive
                {
                    private readonly object _gate = new();

                    string Read(StreamReader reader) => [|reader.ReadToEndAsync().Result|];

                    async Task<string> ReadAsync(StreamReader reader)
                    {
                        await Task.Yield();
                        lock (_gate)
                        {
                            return [|reader.ReadToEndAsync().Result|];
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task The_token_fix_passes_the_token_to_a_conditional_wait()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TokenKey)
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Waiter
                {
                    void Run(Task? task, CancellationToken token)
                    {
                        task?[|.Wait()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Waiter
                {
                    void Run(Task? task, CancellationToken token)
                    {
                        task?.Wait(token);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_token_fix_passes_the_token_to_a_wait_reached_through_a_member_or_a_second_conditional_access()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TokenKey)
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Holder
                {
                    public Task? Pending { get; set; }

                    public SemaphoreSlim Gate { get; } = new(1);
                }

                class Waiter
                {
                    void Run(Holder? holder, CancellationToken token)
                    {
                        holder?[|.Gate.Wait()|];
                        holder?.Pending?[|.Wait()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Holder
                {
                    public Task? Pending { get; set; }

                    public SemaphoreSlim Gate { get; } = new(1);
                }

                class Waiter
                {
                    void Run(Holder? holder, CancellationToken token)
                    {
                        holder?.Gate.Wait(token);
                        holder?.Pending?.Wait(token);
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task Fix_All_fixes_a_wait_nested_in_the_lambda_of_another_wait()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TimeoutKey)
            .WithSource("""
                using System.Threading.Tasks;

                class Waiter
                {
                    void Run(Task inner)
                    {
                        [|Task.Run(() =>
                        {
                            [|inner.Wait()|];
                        }).Wait()|];
                    }
                }
                """)
            .WithFixedSource("""
                using System.Threading.Tasks;

                class Waiter
                {
                    void Run(Task inner)
                    {
                        if (!Task.Run(() =>
                        {
                            if (!inner.Wait(System.TimeSpan.FromSeconds(100)))
                            {
                                throw new System.TimeoutException("Task.Wait did not complete within 100 seconds.");
                            }
                        }).Wait(System.TimeSpan.FromSeconds(100)))
                        {
                            throw new System.TimeoutException("Task.Wait did not complete within 100 seconds.");
                        }
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task The_token_fix_is_not_offered_in_a_static_local_function_that_cannot_capture_the_token()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.TokenKey)
            .WithSource("""
                using System.Threading;
                using System.Threading.Tasks;

                class Waiter
                {
                    void Run(Task task, CancellationToken token)
                    {
                        Wait(task);

                        static void Wait(Task task)
                        {
                            [|task.Wait()|];
                        }
                    }
                }
                """)
            .ExpectNoFix()
            .RunAsync();

    [Fact]
    public Task The_await_fix_in_a_type_of_a_program_with_top_level_statements_does_not_pass_their_token()
        => Verify.CodeFix<BlockingWaitAnalyzer, BlockingWaitCodeFix>(BlockingWaitCodeFix.AwaitKey)
            .AsExecutable()
            .WithSource("""
                using System.Threading;

                using var stopping = new CancellationTokenSource();
                var token = stopping.Token;
                await new Worker().RunAsync(System.Threading.Tasks.Task.CompletedTask);
                """)
            .WithFixedSource("""
                using System.Threading;

                using var stopping = new CancellationTokenSource();
                var token = stopping.Token;
                await new Worker().RunAsync(System.Threading.Tasks.Task.CompletedTask);
                """)
            .WithSource("""
                using System;
                using System.Threading.Tasks;

                class Worker
                {
                    public async Task RunAsync(Task load)
                    {
                        [|load.Wait()|];
                        await Task.Yield();
                    }
                }
                """)
            .WithFixedSource("""
                using System;
                using System.Threading.Tasks;

                class Worker
                {
                    public async Task RunAsync(Task load)
                    {
                        await load.WaitAsync(TimeSpan.FromSeconds(100));
                        await Task.Yield();
                    }
                }
                """)
            .RunAsync();
}
