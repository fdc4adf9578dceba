using Sluice.Analyzers.Reliability;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Reliability;

public class SLU201_SwallowedExceptionTests
{
    private static RuleTest Analyzer(string source)
        => Verify.Analyzer<SwallowedExceptionAnalyzer>().WithSource(source);

    // ---- Positives: a record dropped ----------------------------------------------------------

    [Fact]
    public Task Empty_catch_all_in_a_record_loop_is_reported_on_the_catch_keyword()
        => Analyzer("""
            class Job
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { Step(line); }
                        [|catch|] { }
                    }
                }

                void Step(string line) { }
            }
            """)
            .WithMessages("'catch' swallows the exception: the loop over 'lines' goes on to the next record, so 'line' is lost and the block is empty")
            .RunAsync();

    [Fact]
    public Task Unused_exception_variable_with_continue_in_a_record_loop_is_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            class Import
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        try { Save(int.Parse(line)); }
                        [|catch (Exception ex)|] { continue; }
                    }
                }

                void Save(int value) { }
            }
            """).RunAsync();

    [Fact]
    public Task Logging_only_the_message_is_reported_with_its_own_reason()
        => Analyzer("""
            using System;

            class Import
            {
                void Run(long[] ids)
                {
                    foreach (var id in ids)
                    {
                        try { Step(id); }
                        [|catch (Exception ex)|] { Console.WriteLine("failed: " + ex.Message); }
                    }
                }

                void Step(long id) { }
            }
            """)
            .WithMessages("'catch (Exception ex)' swallows the exception: the loop over 'ids' goes on to the next record, so 'id' is lost and only its message is read, so its type and stack trace are lost")
            .RunAsync();

    [Fact]
    public Task Records_from_files_queries_streams_and_readers_are_records()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Threading.Tasks;

            class Feed
            {
                async Task RunAsync(string path, IQueryable<int> pending, IAsyncEnumerable<string> events, TextReader text, BinaryReader binary)
                {
                    foreach (var row in File.ReadLines(path).Skip(1))
                    {
                        try { Book(row); }
                        [|catch (Exception)|] { }
                    }

                    var orders = pending.Where(id => id > 0).ToList();
                    foreach (var order in orders)
                    {
                        try { Book(order.ToString()); }
                        [|catch|] { continue; }
                    }

                    await foreach (var change in events)
                    {
                        try { Book(change); }
                        [|catch (Exception)|] { }
                    }

                    string? line;
                    while ((line = text.ReadLine()) != null)
                    {
                        try { Book(line); }
                        [|catch (FormatException)|] { }
                    }

                    var checksums = new List<long>();
                    while (binary.BaseStream.Position < binary.BaseStream.Length)
                    {
                        try { checksums.Add(binary.ReadInt64()); }
                        [|catch (Exception)|] { }
                    }
                }

                void Book(string row) { }
            }
            """)
            .WithMessages(
                "'catch (Exception)' swallows the exception: the loop over the file's lines goes on to the next record, so 'row' is lost and the block is empty",
                "'catch' swallows the exception: the loop over the query goes on to the next record, so 'order' is lost and the exception is not rethrown, logged or passed on",
                "'catch (Exception)' swallows the exception: the loop over the async stream goes on to the next record, so 'change' is lost and the block is empty",
                "'catch (FormatException)' swallows the exception: the loop over the reader goes on to the next record, so 'line' is lost and the block is empty",
                "'catch (Exception)' swallows the exception: the loop over the reader goes on to the next record, so the current record is lost and the block is empty")
            .RunAsync();

    [Fact]
    public Task Testing_the_exception_type_in_a_filter_or_the_block_does_not_count_as_observing_it()
        => Analyzer("""
            using System;
            using System.Net.Http;

            class Client
            {
                void Run(string[] urls)
                {
                    foreach (var url in urls)
                    {
                        try { Step(url); }
                        [|catch (Exception ex)|] when (ex is HttpRequestException) { }
                    }

                    foreach (var url in urls)
                    {
                        try { Step(url); }
                        [|catch (Exception ex)|]
                        {
                            if (ex is TimeoutException or HttpRequestException { StatusCode: not null })
                            {
                                continue;
                            }
                        }
                    }
                }

                void Step(string url) { }
            }
            """)
            .WithMessages(
                "'catch (Exception ex)' swallows the exception: the loop over 'urls' goes on to the next record, so 'url' is lost and the block is empty",
                "'catch (Exception ex)' swallows the exception: the loop over 'urls' goes on to the next record, so 'url' is lost and the exception is not rethrown, logged or passed on")
            .RunAsync();

    [Fact]
    public Task A_throw_inside_a_lambda_does_not_count_as_rethrowing()
        => Analyzer("""
            using System;

            class Job
            {
                Action? onFailure;

                void Run(int[] ids)
                {
                    foreach (var id in ids)
                    {
                        try { Step(id); }
                        [|catch (Exception)|] { onFailure = () => throw new InvalidOperationException(); }
                    }
                }

                void Step(int id) { }
            }
            """).RunAsync();

    [Fact]
    public Task Catches_in_lambdas_and_top_level_statements_are_reported()
        => Analyzer("""
            using System;
            using System.IO;

            Action<string[]> work = lines =>
            {
                foreach (var line in lines)
                {
                    try { Console.WriteLine(line.Trim()); }
                    [|catch|] { }
                }
            };

            foreach (var entry in File.ReadLines("feed.txt"))
            {
                try { work([entry]); }
                [|catch (Exception)|] { continue; }
            }
            """)
            .AsExecutable()
            .RunAsync();

    [Fact]
    public Task A_loop_over_the_lines_of_a_text_is_a_record_loop()
        => Analyzer("""
            using System;

            class Totals
            {
                int Sum(string export)
                {
                    var sum = 0;
                    foreach (var line in export.AsSpan().EnumerateLines())
                    {
                        try { sum += int.Parse(line); }
                        [|catch (FormatException)|] { }
                    }

                    return sum;
                }
            }
            """)
            .WithMessages("'catch (FormatException)' swallows the exception: the loop over the text's lines goes on to the next record, so 'line' is lost and the block is empty")
            .RunAsync();

    // ---- Positives: a batch abandoned -------------------------------------------------------------

    [Fact]
    public Task Break_only_is_reported()
        => Analyzer("""
            using System;
            using System.Data;

            class Poller
            {
                void Run(IDataReader reader)
                {
                    while (reader.Read())
                    {
                        try { Poll(reader.GetString(0)); }
                        [|catch (Exception)|] { break; }
                    }
                }

                void Poll(string value) { }
            }
            """)
            .WithMessages("'catch (Exception)' swallows the exception: it leaves the loop over the data reader, so the current record and every record after it are skipped, and the exception is not rethrown, logged or passed on")
            .RunAsync();

    [Fact]
    public Task A_catch_around_a_whole_loop_of_records_is_reported()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            public class Invoice
            {
                public int Number { get; set; }
                public decimal Total { get; set; }
                public string? Link { get; set; }
            }

            public class InvoiceLinks
            {
                public void Attach(IEnumerable<Invoice> invoices, string host)
                {
                    try
                    {
                        foreach (var invoice in invoices)
                        {
                            invoice.Link = new Uri(new Uri(host), $"invoices/{invoice.Number}").ToString();
                        }
                    }
                    [|catch (Exception ex)|]
                    {
                        Console.WriteLine(ex.Message);
                    }
                }
            }
            """)
            .WithMessages("'catch (Exception ex)' swallows the exception: the loop over 'invoices' in the try stops at the first failure, so the remaining records are skipped and only its message is read, so its type and stack trace are lost")
            .RunAsync();

    // ---- Positives: a made-up result, a task never completed, a delete after a failure ------------

    [Fact]
    public Task A_made_up_result_for_a_service_call_is_reported()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Threading.Tasks;

            public sealed class Shipment { public string? Carrier { get; set; } }

            public interface IShipmentApi { Task<Shipment> GetAsync(int id); }

            public class ShipmentQueries(IShipmentApi api)
            {
                public async Task<Shipment> FindAsync(int id)
                {
                    try { return await api.GetAsync(id); }
                    [|catch|] { return new Shipment(); }
                }

                public async Task<int?> PendingAsync(DbCommand countPending)
                {
                    try
                    {
                        return (int?)await countPending.ExecuteScalarAsync();
                    }
                    [|catch (Exception)|]
                    {
                    }

                    return null;
                }
            }
            """)
            .WithMessages(
                "'catch' swallows the exception: the caller gets 'new Shipment()' instead of the failure of 'GetAsync', and the exception is not rethrown, logged or passed on",
                "'catch (Exception)' swallows the exception: the caller gets 'null' instead of the failure of 'ExecuteScalarAsync', and the block is empty")
            .RunAsync();

    [Fact]
    public Task A_task_completion_source_left_incomplete_is_reported()
        => Analyzer("""
            using System;
            using System.Threading.Tasks;

            public class Fader
            {
                public Task<bool> FadeAsync(Action<Action<bool>> start)
                {
                    var done = new TaskCompletionSource<bool>();
                    try
                    {
                        start(finished => done.SetResult(finished));
                    }
                    [|catch (InvalidOperationException)|]
                    {
                    }

                    return done.Task;
                }
            }
            """)
            .WithMessages("'catch (InvalidOperationException)' swallows the exception: 'done' is never completed when the try fails, so whoever awaits its Task waits forever, and the block is empty")
            .RunAsync();

    [Fact]
    public Task Ignoring_a_failed_step_and_deleting_anyway_is_reported()
        => Analyzer("""
            using System;
            using System.Threading.Tasks;

            public class BillingException : Exception { }

            public interface IBilling { Task StopPlanAsync(Guid account); }

            public interface IAccounts { Task DeleteAsync(Guid account); }

            public class AccountClosing(IBilling billing, IAccounts accounts)
            {
                public async Task CloseAsync(Guid account)
                {
                    try
                    {
                        await billing.StopPlanAsync(account);
                    }
                    [|catch (BillingException)|] { }

                    await accounts.DeleteAsync(account);
                }
            }
            """)
            .WithMessages("'catch (BillingException)' swallows the exception: the failure of 'StopPlanAsync' is ignored and the method goes on to 'DeleteAsync' as if it had succeeded, and the block is empty")
            .RunAsync();

    [Fact]
    public Task A_default_written_back_over_the_file_it_failed_to_read_is_reported()
        => Analyzer("""
            using System;
            using System.IO;

            public static class Preferences
            {
                public static string Load(string path)
                {
                    string text;
                    try
                    {
                        text = File.ReadAllText(path);
                    }
                    [|catch (Exception)|]
                    {
                        text = "{}";
                    }

                    File.WriteAllText(path, text.Trim());
                    return text;
                }
            }
            """)
            .WithMessages("'catch (Exception)' swallows the exception: when reading 'path' fails, 'text' gets a default that the method then writes back over 'path', and the exception is not rethrown, logged or passed on")
            .RunAsync();

    [Fact]
    public Task Cancellation_caught_with_no_token_in_the_try_is_reported_as_a_hidden_timeout()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Client
            {
                async Task<string?> FetchAsync(HttpClient http)
                {
                    try { return await http.GetStringAsync("https://example.invalid/"); }
                    [|catch (OperationCanceledException)|] { }
                    return null;
                }
            }
            """)
            .WithMessages("'catch (OperationCanceledException)' swallows the exception: no CancellationToken is used in the try block, so this hides a timeout of 'GetStringAsync' (such as HttpClient.Timeout), not a requested cancellation")
            .RunAsync();

    // ---- Near misses that must stay silent -----------------------------------------------

    [Theory]
    [InlineData("throw;")]
    [InlineData("throw new InvalidOperationException(\"import failed\", ex);")]
    [InlineData("Report(ex);")]
    [InlineData("lastError = ex;")]
    [InlineData("Console.WriteLine($\"failed: {ex}\");")]
    [InlineData("Console.WriteLine(ex.ToString());")]
    [InlineData("if (ex is TimeoutException) { return; } throw;")]
    [InlineData("System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();")]
    [InlineData("Environment.FailFast(\"ledger corrupt\");")]
    [InlineData("Environment.Exit(2);")]
    public Task A_catch_that_rethrows_throws_or_passes_the_exception_on_is_silent(string handler)
        => Analyzer($$"""
            using System;

            class Job
            {
                Exception? lastError;

                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { Step(line); }
                        catch (Exception ex) { {{handler}} }
                    }
                }

                void Step(string line) { }

                void Report(Exception exception) { }
            }
            """).RunAsync();

    [Fact]
    public Task Logging_the_exception_object_is_silent()
        => Analyzer("""
            using System;
            using Microsoft.Extensions.Logging;

            class Job(ILogger<Job> logger)
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { Step(line); }
                        catch (Exception ex) { logger.LogError(ex, "Step failed"); }
                    }
                }

                void Step(string line) { }
            }
            """)
            .WithLibraries(Library.Logging)
            .RunAsync();

    [Fact]
    public Task A_specific_exception_handled_with_a_fallback_value_is_silent()
        => Analyzer("""
            using System.IO;

            class Settings
            {
                static readonly string Defaults = "{}";

                string Load(string path)
                {
                    try { return File.ReadAllText(path); }
                    catch (FileNotFoundException) { return Defaults; }
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_empty_catch_of_a_specific_type_with_nothing_at_stake_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;

            class Parser
            {
                int value;

                void Parse(string text)
                {
                    try { value = int.Parse(text); }
                    catch (FormatException) { }
                }

                void Signal(ManualResetEvent ready)
                {
                    try { ready.Set(); }
                    catch (ObjectDisposedException)
                    {
                        // Shutting down: nobody waits any more.
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_fallback_computed_without_io_is_silent()
        => Analyzer("""
            using System;
            using System.Reflection;
            using System.Text.Json;

            class Labels
            {
                object? Parse(string line)
                {
                    try { return int.Parse(line); }
                    catch (Exception) { return null; }
                }

                string Version(Assembly assembly)
                {
                    try { return assembly.GetName().Version!.ToString(); }
                    catch { return string.Empty; }
                }

                JsonDocument? Options(string json)
                {
                    try { return JsonDocument.Parse(json); }
                    catch { return null; }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Cleanup_in_dispose_finally_a_failure_path_or_teardown_calls_is_silent()
        => Analyzer("""
            using System;
            using System.Data.Common;
            using System.Diagnostics;
            using System.IO;
            using System.Threading.Tasks;

            class Export : IDisposable
            {
                private readonly Stream _scratch = new MemoryStream();
                private readonly string _tempPath = Path.GetTempFileName();

                public void Dispose()
                {
                    _scratch.Dispose();
                    try { File.Delete(_tempPath); }
                    catch { }
                }

                public async Task WriteAsync(DbConnection connection, Func<DbTransaction, Task> write)
                {
                    var transaction = await connection.BeginTransactionAsync();
                    try
                    {
                        await write(transaction);
                        await transaction.CommitAsync();
                    }
                    catch
                    {
                        try { await transaction.RollbackAsync(); }
                        catch (Exception) { }

                        throw;
                    }
                    finally
                    {
                        try { Log(_scratch.Length); }
                        catch { }
                    }
                }

                public void Stop(Process converter)
                {
                    try
                    {
                        converter.Kill();
                        converter.WaitForExit(5000);
                    }
                    catch (Exception)
                    {
                    }
                }

                void Log(long length) { }
            }
            """).RunAsync();

    [Fact]
    public Task A_Try_or_validation_method_that_reports_failure_as_false_is_silent()
        => Analyzer("""
            using System;
            using System.Globalization;
            using System.IO;
            using System.Text.Json;

            static class Checks
            {
                /// <summary>Parses an order id; returns false when the text is not one.</summary>
                public static bool TryParseOrder(string text, out long id)
                {
                    try
                    {
                        id = long.Parse(text, CultureInfo.InvariantCulture);
                        return true;
                    }
                    catch (Exception)
                    {
                        id = 0;
                        return false;
                    }
                }

                public static bool TryLoad(string path)
                {
                    try { File.ReadAllBytes(path); return true; }
                    catch (SystemException) { return false; }
                }

                public static bool IsWellFormed(string json)
                {
                    var broken = false;
                    try { JsonDocument.Parse(json).Dispose(); }
                    catch { broken = true; }

                    return !broken;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_handles_the_failure_with_code_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public interface IDecoder { string Decode(byte[] body); }

            public interface IPayments { Task DeleteDraftAsync(string id); Task VoidAsync(string id); }

            public class Handling(IDecoder primary, IDecoder secondary, IPayments payments)
            {
                private int _failedSends;

                public string Decode(byte[] body)
                {
                    try { return primary.Decode(body); }
                    catch { return secondary.Decode(body); }
                }

                public async Task DropDraftAsync(string id)
                {
                    try { await payments.DeleteDraftAsync(id); }
                    catch { await payments.VoidAsync(id); }
                }

                public List<string> Validate(string config)
                {
                    var errors = new List<string>();
                    try { System.Text.Json.JsonDocument.Parse(config).Dispose(); }
                    catch { errors.Add("The configuration is not valid JSON."); }

                    return errors;
                }

                public void Send(Action<string> send, string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { send(line); }
                        catch (Exception) { _failedSends++; }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_best_effort_probe_over_http_a_cache_file_or_a_process_is_silent()
        => Analyzer("""
            using System;
            using System.Diagnostics;
            using System.IO;
            using System.Net;
            using System.Net.Http;
            using System.Threading.Tasks;

            class Probes(HttpClient http)
            {
                private static readonly HttpResponseMessage Missing = new(HttpStatusCode.NotFound);

                async Task<HttpResponseMessage> FaviconAsync(Uri site)
                {
                    try { return await http.GetAsync(new Uri(site, "/favicon.ico")); }
                    catch { return Missing; }
                }

                byte[] Cached(string path)
                {
                    try { return File.ReadAllBytes(path); }
                    catch { return Array.Empty<byte>(); }
                }

                static string? Revision()
                {
                    try
                    {
                        using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true })!;
                        return git.StandardOutput.ReadLine();
                    }
                    catch
                    {
                        return null;
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task An_error_result_tells_the_caller_and_is_silent()
        => Analyzer("""
            using System.Threading.Tasks;

            public sealed class Reply
            {
                public static Reply Ok(object value) => new();

                public static Reply Problem(string detail) => new();
            }

            public interface IOrders { Task<object> GetAsync(int id); }

            public class OrdersEndpoint(IOrders orders)
            {
                public async Task<Reply> GetAsync(int id)
                {
                    try { return Reply.Ok(await orders.GetAsync(id)); }
                    catch { return Reply.Problem("Orders are unavailable right now."); }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_user_interface_showing_the_failure_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            public interface ICartApi { Task<int> CountAsync(string user); }

            public class CartBadge(ICartApi carts)
            {
                public Dictionary<string, object> ViewData { get; } = new();

                public async Task<string> RenderAsync(string user)
                {
                    var count = 0;
                    try
                    {
                        count = await carts.CountAsync(user);
                        return Render(count);
                    }
                    catch
                    {
                        ViewData["CartUnavailable"] = true;
                    }

                    return Render(count);
                }

                string Render(int count) => count.ToString();
            }
            """).RunAsync();

    [Fact]
    public Task Cancellation_caught_under_a_token_check_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                async Task RunAsync(Func<Task> step, CancellationToken token)
                {
                    try { await step(); }
                    catch (OperationCanceledException) when (token.IsCancellationRequested) { }

                    try { await step(); }
                    catch (Exception) when (token.IsCancellationRequested) { }

                    try { await step(); }
                    catch (OperationCanceledException ex) when (ex.CancellationToken == token) { }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Cancellation_caught_around_a_call_that_honours_a_token_is_silent()
        => Analyzer("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            class Worker
            {
                async Task RunAsync(CancellationToken stoppingToken)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                    catch (TaskCanceledException) { }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Cancellation_the_code_requested_itself_is_silent()
        => Analyzer("""
            using System;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            class Loop
            {
                private readonly CancellationTokenSource _stopping = new();
                private Task? _running;

                public async Task StopAsync()
                {
                    _stopping.Cancel();
                    try { await _running!; }
                    catch (OperationCanceledException) { }
                }

                public async Task PauseAsync(TimeSpan delay)
                {
                    try
                    {
                        var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(100));
                        await Task.Delay(delay + jitter, _stopping.Token);
                    }
                    catch
                    {
                    }
                }

                public async Task<string?> PollAsync(HttpClient http)
                {
                    try { return await http.GetStringAsync("https://example.invalid/", _stopping.Token); }
                    catch (OperationCanceledException) { }

                    return null;
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_filter_that_narrows_the_catch_to_specific_types_makes_it_a_decision()
        => Analyzer("""
            using System;
            using System.Collections.Concurrent;
            using System.Threading;

            class Scheduler
            {
                private readonly ConcurrentQueue<Action> _queue = new();

                void RunOne(Action work)
                {
                    try { work(); }
                    catch (Exception ex) when (ex is ThreadInterruptedException || ex is OperationCanceledException)
                    {
                        _queue.Enqueue(work);
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task Loops_over_services_plugins_disposables_and_reflection_are_not_record_loops()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Reflection;
            using System.Threading.Tasks;

            public interface ISubscriber { Task NotifyAsync(string change); }

            public interface IPlugin { void Start(); }

            public class Host
            {
                private readonly List<IDisposable> _parts = new();
                private readonly List<IPlugin> _plugins = new();

                public async Task PublishAsync(IEnumerable<ISubscriber> subscribers, string change)
                {
                    foreach (var subscriber in subscribers)
                    {
                        try { await subscriber.NotifyAsync(change); }
                        catch (Exception) { }
                    }
                }

                public void Start()
                {
                    foreach (var plugin in _plugins)
                    {
                        try { plugin.Start(); }
                        catch { }
                    }

                    foreach (var part in _parts)
                    {
                        try { part.Dispose(); }
                        catch { }
                    }
                }

                public List<Type> Scan(Assembly[] assemblies)
                {
                    var found = new List<Type>();
                    foreach (var assembly in assemblies)
                    {
                        try { found.AddRange(assembly.GetTypes()); }
                        catch (Exception) { }
                    }

                    return found;
                }

                public void Cleanup(IEnumerable<string> temporaryFiles)
                {
                    foreach (var file in temporaryFiles)
                    {
                        try { System.IO.File.Delete(file); }
                        catch { }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_catch_that_falls_through_to_more_work_on_the_same_record_does_not_drop_it()
        => Analyzer("""
            using System;
            using System.Collections.Generic;

            class Import
            {
                void Run(IEnumerable<string> lines)
                {
                    foreach (var line in lines)
                    {
                        var size = 0;
                        try { size = Measure(line); }
                        catch (Exception) { }

                        Save(line, size);
                    }
                }

                int Measure(string line) => line.Length;

                void Save(string line, int size) { }
            }
            """).RunAsync();

    [Fact]
    public Task Dead_lettering_the_record_with_the_exception_is_silent()
        => Analyzer("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;

            class Import
            {
                async Task RunAsync(IEnumerable<string> records, Func<string, Exception, Task> deadLetters)
                {
                    foreach (var record in records)
                    {
                        try { await SaveAsync(record); }
                        catch (Exception ex) when (ex is not OperationCanceledException) { await deadLetters(record, ex); }
                    }
                }

                Task SaveAsync(string record) => Task.CompletedTask;
            }
            """).RunAsync();

    [Fact]
    public Task An_exception_handed_to_a_filter_is_silent()
        => Analyzer("""
            using System;

            class Job
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { Step(line); }
                        catch (Exception ex) when (Log(ex)) { }
                    }
                }

                static bool Log(Exception ex) { Console.Error.WriteLine(ex); return true; }

                void Step(string line) { }
            }
            """).RunAsync();

    [Fact]
    public Task Generated_code_is_not_analyzed()
        => Analyzer("""
            // <auto-generated/>
            class Generated
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { System.Console.WriteLine(line.Trim()); }
                        catch { }
                    }
                }
            }
            """).RunAsync();

    // ---- Options ---------------------------------------------------------------------------

    private const string CommentedFallback = """
        using System.Threading.Tasks;

        public sealed class Profile { public string Name { get; set; } = ""; }

        public interface IProfiles { Task<Profile> GetAsync(int id); }

        class Profiles(IProfiles profiles)
        {
            async Task<Profile> LoadAsync(int id)
            {
                try { return await profiles.GetAsync(id); }
                MARK_START catch MARK_END
                {
                    // The profile service logs its own failures; an anonymous profile keeps the page up.
                    return new Profile();
                }
            }
        }
        """;

    [Fact]
    public Task A_comment_that_explains_a_hidden_failure_exempts_it_by_default()
        => Analyzer(CommentedFallback.Replace("MARK_START ", "").Replace(" MARK_END", "")).RunAsync();

    [Fact]
    public Task Justification_comments_can_be_turned_off()
        => Analyzer(CommentedFallback.Replace("MARK_START ", "[|").Replace(" MARK_END", "|]"))
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = false")
            .RunAsync();

    [Fact]
    public Task A_comment_does_not_excuse_a_dropped_record()
        => Analyzer("""
            using System.IO;

            class Cache
            {
                void Warm(string[] paths)
                {
                    foreach (var path in paths)
                    {
                        try { Keep(File.ReadAllBytes(path)); }
                        [|catch (IOException)|] { /* best effort: a cold cache only costs latency */ }
                    }
                }

                void Keep(byte[] bytes) { }
            }
            """)
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = true")
            .RunAsync();

    [Fact]
    public Task A_TODO_is_not_a_justification_and_marks_the_catch_unfinished()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Linq;

            class Markers
            {
                string? Existing(string folder)
                {
                    string? found = null;
                    try
                    {
                        found = Directory.EnumerateFiles(folder, ".marker-*").FirstOrDefault();
                    }
                    [|catch|]
                    {
                        // Assume there is none and keep going.
                        // TODO: log this
                    }

                    return found;
                }
            }
            """)
            .WithMessages("'catch' swallows the exception: its own comment marks it unfinished, and the block is empty")
            .RunAsync();

    [Fact]
    public Task An_empty_catch_without_a_comment_stays_reported_when_justification_is_allowed()
        => Analyzer("""
            class Job
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { System.Console.WriteLine(line.Trim()); }
                        [|catch|] { }
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU201.allow_justification_comment = true")
            .RunAsync();

    [Fact]
    public Task The_justification_prefix_is_required_when_set()
        => Analyzer("""
            using System.Threading.Tasks;

            public interface IRates { Task<decimal> RateAsync(string currency); }

            class Rates(IRates rates)
            {
                async Task<decimal> EuroAsync()
                {
                    try { return await rates.RateAsync("EUR"); }
                    [|catch|]
                    {
                        // best effort
                        return 1m;
                    }
                }

                async Task<decimal> DollarAsync()
                {
                    try { return await rates.RateAsync("USD"); }
                    catch
                    {
                        // Justified: the rates service alerts on its own failures; pricing falls back to parity.
                        return 1m;
                    }
                }
            }
            """)
            .WithEditorConfig("sluice.SLU201.justification_prefix = justified:")
            .RunAsync();

    [Fact]
    public Task Severity_is_configurable_in_editorconfig()
        => Analyzer("""
            class Job
            {
                void Run(string[] lines)
                {
                    foreach (var line in lines)
                    {
                        try { System.Console.WriteLine(line.Trim()); }
                        catch { }
                    }
                }
            }
            """)
            .WithEditorConfig("dotnet_diagnostic.SLU201.severity = none")
            .RunAsync();

    private const string ImportMethod = """
        using System;

        static class OrderImport
        {
            public static int ImportOrders(string[] lines)
            {
                var imported = 0;
                foreach (var line in lines)
                {
                    try
                    {
                        imported += int.Parse(line);
                    }
                    MARK_START catch (Exception) MARK_END
                    {
                        continue;
                    }
                }

                return imported;
            }
        }
        """;

    [Fact]
    public Task A_retry_loops_catch_is_silent_when_the_loop_gives_up_by_rethrowing_or_never_gives_up()
        => Analyzer("""
            using System;
            using System.IO;
            using System.Threading;

            class Sender
            {
                string ReadOrThrow(string path)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch (Exception) when (attempt < 3)
                        {
                            Thread.Sleep(100);
                        }
                    }
                }

                string ReadForever(string path)
                {
                    while (true)
                    {
                        try
                        {
                            return File.ReadAllText(path);
                        }
                        catch
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }
            """).RunAsync();

    [Fact]
    public Task A_retry_loops_catch_is_reported_when_the_loop_falls_out_and_loses_the_last_failure()
        => Analyzer("""
            using System;
            using System.Threading.Tasks;

            public interface IInventory { Task<int> CountAsync(string sku); }

            class Stock(IInventory inventory)
            {
                async Task<int?> CountAsync(string sku)
                {
                    for (var attempt = 1; attempt <= 3; attempt++)
                    {
                        try
                        {
                            return await inventory.CountAsync(sku);
                        }
                        [|catch (Exception)|]
                        {
                            await Task.Delay(100);
                        }
                    }

                    return null;
                }
            }
            """)
            .WithMessages("'catch (Exception)' swallows the exception: the caller gets 'null' instead of the failure of 'CountAsync', and the exception is not rethrown, logged or passed on")
            .RunAsync();

    [Fact]
    public Task Without_allowed_methods_the_import_is_reported()
        => Analyzer(ImportMethod.Replace("MARK_START ", "[|").Replace(" MARK_END", "|]")).RunAsync();

    [Theory]
    [InlineData("ImportOrders")]
    [InlineData("OrderImport.ImportOrders")]
    [InlineData("Load, Import*")]
    public Task allowed_methods_exempts_the_listed_methods(string allowed)
        => Analyzer(ImportMethod.Replace("MARK_START ", "").Replace(" MARK_END", ""))
            .WithEditorConfig($"sluice.SLU201.allowed_methods = {allowed}")
            .RunAsync();

    [Fact]
    public Task allowed_methods_does_not_exempt_other_methods()
        => Analyzer(ImportMethod.Replace("MARK_START ", "[|").Replace(" MARK_END", "|]"))
            .WithEditorConfig("sluice.SLU201.allowed_methods = ImportCustomers, Load*")
            .RunAsync();
}
