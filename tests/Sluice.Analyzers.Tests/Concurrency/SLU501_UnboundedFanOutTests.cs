using Sluice.Analyzers.Concurrency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Concurrency;

namespace Sluice.Analyzers.Tests.Concurrency;

public class SLU501_UnboundedFanOutTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Linq;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<UnboundedFanOutAnalyzer>().WithSource(Usings + source);

    private static RuleTest Fix(string source, string fixedSource)
        => Verify.CodeFix<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>(UnboundedFanOutCodeFix.ParallelForEachKey)
            .WithSource(Usings + source)
            .WithFixedSource(Usings + fixedSource);

    private static RuleTest NoFix(string source)
        => Verify.CodeFix<UnboundedFanOutAnalyzer, UnboundedFanOutCodeFix>(UnboundedFanOutCodeFix.ParallelForEachKey)
            .WithSource(Usings + source)
            .ExpectNoFix();

    // ---- Positives -----------------------------------------------------------------------------

    [Fact]
    public Task An_async_lambda_over_a_parameter_is_reported_on_WhenAll()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(IEnumerable<int> orderIds)
                {
                    await [|Task.WhenAll(orderIds.Select(async id => await SendAsync(id)))|];
                }

                Task SendAsync(int id) => Task.Delay(id);
            }
            """)
            .WithMessages("Task.WhenAll starts a task for every item of 'orderIds' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)")
            .RunAsync();

    [Fact]
    public Task A_lambda_returning_a_call_a_method_group_a_materialized_list_and_used_results_are_reported()
        => Analyzer("""
            class Sync
            {
                List<int> _ids = new();

                async Task<int[]> PushAsync(int[] ids, IEnumerable<string> names)
                {
                    await [|Task.WhenAll(ids.Select(id => SendAsync(id)).ToList())|];
                    await [|Task.WhenAll(_ids.Select(SendAsync).ToArray())|];
                    await [|Task.WhenAll(Enumerable.Select(names, n => Task.Run(() => n.Length)))|];
                    return await [|Task.WhenAll(ids.Select(id => CountAsync(id)))|];
                }

                Task SendAsync(int id) => Task.Delay(id);

                Task<int> CountAsync(int id) => Task.FromResult(id);
            }
            """)
            .WithMessages(
                "Task.WhenAll starts a task for every item of 'ids' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of '_ids' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'names' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'ids' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)")
            .RunAsync();

    [Fact]
    public Task A_local_holding_the_tasks_of_a_query_result_is_reported()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(IQueryable<int> query)
                {
                    var ids = query.Where(id => id > 0).ToList();
                    var tasks = ids.Select(async id => await Task.Delay(id));
                    await [|Task.WhenAll(tasks)|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_query_expression_that_starts_a_task_per_item_is_reported()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(List<int> ids, IEnumerable<string> names)
                {
                    await [|Task.WhenAll(from id in ids select SendAsync(id))|];
                    await [|Task.WhenAll((from id in ids where id > 0 select SendAsync(id)).ToList())|];
                    var tasks = from name in names select Task.Run(() => name.Length);
                    await [|Task.WhenAll(tasks)|];
                }

                Task SendAsync(int id) => Task.Delay(id);
            }
            """)
            .WithMessages(
                "Task.WhenAll starts a task for every item of 'ids' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'ids' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'names' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)")
            .RunAsync();

    [Fact]
    public Task A_query_expression_over_a_bounded_source_or_components_is_silent()
        => Analyzer("""
            public interface IMailer { Task SendAsync(string address); }

            class Sync
            {
                async Task PushAsync(List<int> ids, List<IMailer> mailers)
                {
                    await Task.WhenAll(from id in new[] { 1, 2, 3 } select SendAsync(id));
                    await Task.WhenAll(from id in ids.Take(10) select SendAsync(id));
                    await Task.WhenAll(from mailer in mailers select mailer.SendAsync("ops"));
                }

                Task SendAsync(int id) => Task.Delay(id);
            }
            """).RunAsync();

    [Fact]
    public Task Ranges_and_Takes_over_a_collection_size_or_a_large_constant_are_reported()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(List<int> ids, int[] more)
                {
                    await [|Task.WhenAll(Enumerable.Range(0, ids.Count).Select(i => Task.Delay(ids[i])))|];
                    await [|Task.WhenAll(Enumerable.Range(0, more.Length).Select(i => Task.Delay(more[i])))|];
                    await [|Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Delay(i)))|];
                    await [|Task.WhenAll(ids.Take(1000).Select(i => Task.Delay(i)))|];
                    await [|Task.WhenAll(ids.Chunk(100).Select(async batch => await Task.Delay(batch.Length)))|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task Records_from_a_query_file_lines_a_field_and_a_plain_public_method_s_ids_are_reported()
        => Analyzer("""
            using System;
            using System.IO;

            public record Invoice(int Number, decimal Total);

            public class Billing
            {
                private readonly List<Invoice> _pending = new();

                public async Task SendAsync(IQueryable<Invoice> invoices, string path, IEnumerable<Guid> customerIds)
                {
                    var open = invoices.Where(i => i.Total > 0).ToList();
                    await [|Task.WhenAll(open.Select(i => MailAsync(i)))|];
                    await [|Task.WhenAll(File.ReadLines(path).Select(async line => await PostAsync(line)))|];
                    await [|Task.WhenAll(_pending.Select(MailAsync))|];
                    await [|Task.WhenAll(customerIds.Select(id => RemindAsync(id)))|];
                }

                Task MailAsync(Invoice invoice) => Task.Delay(invoice.Number);

                Task PostAsync(string line) => Task.Delay(line.Length);

                Task RemindAsync(Guid id) => Task.Delay(1);
            }
            """)
            .WithMessages(
                "Task.WhenAll starts a task for every item of 'open' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'File.ReadLines(path)' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of '_pending' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)",
                "Task.WhenAll starts a task for every item of 'customerIds' at once; bound how many run together (Parallel.ForEachAsync with MaxDegreeOfParallelism)")
            .RunAsync();

    [Fact]
    public Task The_constant_threshold_is_an_option()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync()
                {
                    await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Delay(i)));
                    await [|Task.WhenAll(Enumerable.Range(0, 101).Select(i => Task.Delay(i)))|];
                }
            }
            """)
            .WithEditorConfig("sluice.SLU501.max_constant_fan_out = 100")
            .RunAsync();

    // ---- Near misses ---------------------------------------------------------------------------

    [Fact]
    public Task Fan_outs_over_components_are_silent()
        => Analyzer("""
            using System;

            interface IRateSource { Task<decimal> QuoteAsync(string currency); }

            abstract class Exporter { public abstract Task ExportAsync(); }

            class Listener
            {
                public Task NotifyAsync(string topic) => Task.Delay(topic.Length);
            }

            enum Region { North, South, East, West }

            class Hub
            {
                private readonly IRateSource[] _sources = Array.Empty<IRateSource>();
                private readonly List<Listener> _listeners = new();
                private readonly List<Func<Task>> _onClose = new();

                async Task<decimal[]> QuoteAsync(string currency, IEnumerable<Exporter> exporters)
                {
                    await Task.WhenAll(exporters.Select(e => e.ExportAsync()));
                    await Task.WhenAll(_listeners.Select(l => l.NotifyAsync(currency)));
                    await Task.WhenAll(_onClose.Select(close => close()));
                    await Task.WhenAll(Enum.GetValues<Region>().Select(r => WarmAsync(r)));
                    return await Task.WhenAll(_sources.Select(s => s.QuoteAsync(currency)));
                }

                Task WarmAsync(Region region) => Task.Delay((int)region);
            }
            """).RunAsync();

    [Fact]
    public Task A_semaphore_gate_in_the_selector_is_a_bound()
        => Analyzer("""
            class Thumbnails
            {
                private readonly SemaphoreSlim _gate = new(4);

                async Task RenderAsync(List<int> photoIds, CancellationToken token)
                {
                    await Task.WhenAll(photoIds.Select(async id =>
                    {
                        await _gate.WaitAsync(token);
                        try
                        {
                            await Task.Delay(id, token);
                        }
                        finally
                        {
                            _gate.Release();
                        }
                    }));
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_semaphore_gate_in_a_lambda_or_local_function_inside_the_selector_or_a_local_function_it_calls_is_a_bound()
        => Analyzer("""
            class Thumbnails
            {
                private readonly SemaphoreSlim _gate = new(4);

                async Task RenderAsync(List<int> photoIds, CancellationToken token)
                {
                    var gate = new SemaphoreSlim(2);
                    await Task.WhenAll(photoIds.Select(id => Task.Run(async () =>
                    {
                        await gate.WaitAsync(token);
                        try
                        {
                            await Task.Delay(id, token);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    })));

                    await Task.WhenAll(photoIds.Select(id => ThrottledAsync(id)));
                    await Task.WhenAll(photoIds.Select(ThrottledAsync));
                    await Task.WhenAll(from id in photoIds select ThrottledAsync(id));

                    async Task ThrottledAsync(int id)
                    {
                        await _gate.WaitAsync(token);
                        try
                        {
                            await Task.Delay(id, token);
                        }
                        finally
                        {
                            _gate.Release();
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_local_function_the_selector_calls_that_takes_no_gate_is_no_bound()
        => Analyzer("""
            class Thumbnails
            {
                async Task RenderAsync(List<int> photoIds, SemaphoreSlim gate, CancellationToken token)
                {
                    await [|Task.WhenAll(photoIds.Select(id => RenderOneAsync(id)))|];
                    await gate.WaitAsync(token);
                    gate.Release();

                    Task RenderOneAsync(int id) => Task.Delay(id, token);
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_public_batch_API_over_its_caller_s_collection_is_silent()
        => Analyzer("""
            public interface IMailer { Task SendAsync(string address); }

            public abstract class Notifier
            {
                public abstract Task NotifyAllAsync(IReadOnlyList<string> addresses);
            }

            public static class MailerExtensions
            {
                public static Task SendAllAsync(this IMailer mailer, IEnumerable<string> addresses)
                    => Task.WhenAll(addresses.Select(a => mailer.SendAsync(a)));
            }

            public sealed class MailNotifier(IMailer mailer) : Notifier
            {
                public override async Task NotifyAllAsync(IReadOnlyList<string> addresses)
                {
                    await Task.WhenAll(addresses.Where(a => a.Length > 0).Select(a => mailer.SendAsync(a)));
                }
            }
            """).RunAsync();

    [Fact]
    public Task The_object_s_own_collection_property_is_silent()
        => Analyzer("""
            class Album
            {
                public string[] TrackPaths { get; set; } = [];

                async Task RefreshAsync()
                {
                    var tasks = TrackPaths.Select(path => ProbeAsync(path));
                    await Task.WhenAll(tasks);
                }

                Task ProbeAsync(string path) => Task.Delay(path.Length);
            }
            """).RunAsync();

    [Fact]
    public Task A_page_read_with_a_limit_is_bounded()
        => Analyzer("""
            interface IOutbox { Task<IEnumerable<long>> PendingAsync(int limit, CancellationToken token); }

            class Relay(IOutbox outbox)
            {
                async Task RelayAsync(int pageSize, CancellationToken token)
                {
                    var ids = (await outbox.PendingAsync(pageSize, token).ConfigureAwait(false)).ToList();
                    await Task.WhenAll(ids.Select(id => ForwardAsync(id, token)));
                }

                Task ForwardAsync(long id, CancellationToken token) => Task.Delay(1, token);
            }
            """).RunAsync();

    [Fact]
    public Task Fixed_lists_of_tasks_and_literal_sources_are_silent()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(int a, int b, Task first, Task second, Task[] already)
                {
                    await Task.WhenAll(first, second, Task.Delay(a));
                    await Task.WhenAll(already);
                    await Task.WhenAll(new[] { 1, 2, 3 }.Select(i => Task.Delay(i)));
                    await Task.WhenAll(new int[4].Select(i => Task.Delay(i)));
                    await Task.WhenAll(new List<int> { a, b }.Select(async i => await Task.Delay(i)));
                    int[] pair = [a, b];
                    await Task.WhenAll(pair.Select(i => Task.Delay(i)));
                    var regions = new[] { "eu", "us" };
                    var tasks = regions.Select(r => Task.Delay(r.Length)).ToList();
                    await Task.WhenAll(tasks);
                }
            }
            """).RunAsync();

    [Fact]
    public Task Small_constant_ranges_worker_pools_takes_and_chunk_batches_are_silent()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(List<int> ids, int workers, int pageSize)
                {
                    await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Delay(i)));
                    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkAsync()));
                    await Task.WhenAll(Enumerable.Repeat(0, 16).Select(_ => WorkAsync()));
                    await Task.WhenAll(ids.Take(10).Select(i => Task.Delay(i)));
                    await Task.WhenAll(ids.Take(pageSize).Select(i => Task.Delay(i)));
                    foreach (var batch in ids.Chunk(50))
                    {
                        await Task.WhenAll(batch.Select(i => Task.Delay(i)));
                    }
                }

                Task WorkAsync() => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task Selectors_that_start_no_async_work_are_silent()
        => Analyzer("""
            using System;

            class Sync
            {
                async Task<int[]> PushAsync(List<int> ids, Func<int, Task> send)
                {
                    await Task.WhenAll(ids.Select(i => Task.CompletedTask));
                    await Task.WhenAll(ids.Select(send));
                    #pragma warning disable CS1998
                    await Task.WhenAll(ids.Select(async i => Console.WriteLine(i)));
                    #pragma warning restore CS1998
                    return await Task.WhenAll(ids.Select(i => Task.FromResult(i * 2)));
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_reassigned_local_and_other_WhenAll_lookalikes_are_silent()
        => Analyzer("""
            class Sync
            {
                async Task PushAsync(List<int> ids)
                {
                    var tasks = new List<Task>();
                    foreach (var id in ids)
                    {
                        tasks.Add(Task.Delay(id));
                    }

                    await Task.WhenAll(tasks);
                    await Fake.Task.WhenAll(ids.Select(i => Task.Delay(i)));
                }
            }

            namespace Fake
            {
                static class Task
                {
                    public static System.Threading.Tasks.Task WhenAll(IEnumerable<System.Threading.Tasks.Task> tasks) => System.Threading.Tasks.Task.CompletedTask;
                }
            }
            """).RunAsync();

    // ---- Fixes -----------------------------------------------------------------------------------

    [Fact]
    public Task The_fix_runs_an_async_lambda_with_Parallel_ForEachAsync_and_the_token_in_scope()
        => Fix("""
            class Sync
            {
                async Task PushAsync(IEnumerable<int> orderIds, CancellationToken token)
                {
                    await [|Task.WhenAll(orderIds.Select(async id => await SendAsync(id, token)))|];
                }

                Task SendAsync(int id, CancellationToken token) => Task.Delay(id, token);
            }
            """, """
            class Sync
            {
                async Task PushAsync(IEnumerable<int> orderIds, CancellationToken token)
                {
                    await Parallel.ForEachAsync(orderIds, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token }, async (id, ct) => await SendAsync(id, token));
                }

                Task SendAsync(int id, CancellationToken token) => Task.Delay(id, token);
            }
            """).RunAsync();

    [Fact]
    public Task The_fix_awaits_a_returned_task_calls_a_method_group_keeps_ConfigureAwait_and_fixes_all()
        => Fix("""
            class Sync
            {
                async Task PushAsync(List<int> ids)
                {
                    await [|Task.WhenAll(ids.Select(id => SendAsync(id)))|];
                    await [|Task.WhenAll(ids.Select(SendAsync).ToArray())|].ConfigureAwait(false);
                    await [|Task.WhenAll(ids.Where(id => id > 0).Select(static (int id) => Task.Delay(id)))|];
                }

                Task SendAsync(int id) => Task.Delay(id);
            }
            """, """
            class Sync
            {
                async Task PushAsync(List<int> ids)
                {
                    await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) => await SendAsync(id));
                    await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, ct) => await SendAsync(item)).ConfigureAwait(false);
                    await Parallel.ForEachAsync(ids.Where(id => id > 0), new ParallelOptions { MaxDegreeOfParallelism = 8 }, static async (int id, CancellationToken ct) => await Task.Delay(id));
                }

                Task SendAsync(int id) => Task.Delay(id);
            }
            """).RunAsync();

    [Fact]
    public Task The_fix_replaces_a_tasks_local_declared_right_before_and_uses_the_configured_degree()
        => Fix("""
            class Sync
            {
                async Task PushAsync(List<int> ids, CancellationToken cancellationToken)
                {
                    // One call per id.
                    var tasks = ids.Select(async id =>
                    {
                        await Task.Delay(id, cancellationToken);
                        await Task.Delay(1, cancellationToken);
                    }).ToList();
                    await [|Task.WhenAll(tasks)|];
                }
            }
            """, """
            class Sync
            {
                async Task PushAsync(List<int> ids, CancellationToken cancellationToken)
                {
                    // One call per id.
                    await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (id, ct) =>
                    {
                        await Task.Delay(id, cancellationToken);
                        await Task.Delay(1, cancellationToken);
                    });
                }
            }
            """)
            .WithEditorConfig("sluice.SLU501.max_degree_of_parallelism = 4")
            .RunAsync();

    [Fact]
    public Task No_fix_for_a_query_expression()
        => NoFix("""
            class Sync
            {
                async Task PushAsync(List<int> ids)
                {
                    await [|Task.WhenAll(from id in ids select Task.Delay(id))|];
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_when_the_results_are_used()
        => NoFix("""
            class Sync
            {
                async Task<int[]> CountAsync(List<int> ids)
                {
                    var counts = await [|Task.WhenAll(ids.Select(id => Task.Run(() => id * 2)))|];
                    return counts;
                }
            }
            """).RunAsync();

    [Fact]
    public Task No_fix_for_a_local_declared_apart_an_index_selector_a_block_that_returns_values_or_an_unawaited_WhenAll()
        => NoFix("""
            class Sync
            {
                async Task PushAsync(List<int> ids)
                {
                    var tasks = ids.Select(id => Task.Delay(id)).ToList();
                    await Task.Delay(1);
                    await [|Task.WhenAll(tasks)|];
                    await [|Task.WhenAll(ids.Select((id, index) => Task.Delay(id + index)))|];
                    await [|Task.WhenAll(ids.Select(async id =>
                    {
                        await Task.Delay(id);
                        return id;
                    }))|];
                    await [|Task.WhenAll(ids.Select(id =>
                    {
                        return Task.Delay(id);
                    }))|];
                }

                Task Later(List<int> ids) => [|Task.WhenAll(ids.Select(id => Task.Delay(id)))|];
            }
            """).RunAsync();
}
