using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU401_NonIdempotentWriteInRetryTests
{
    private const string Usings = """
        using System;
        using System.Data;
        using System.Data.Common;
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Polly;

        """;

    private const string Db = """

        class Order { public int Id { get; set; } }

        class AppDb : Microsoft.EntityFrameworkCore.DbContext
        {
            public Microsoft.EntityFrameworkCore.DbSet<Order> Orders => Set<Order>();
        }
        """;

    private static RuleTest Analyzer(string source, params Library[] libraries)
        => Verify.Analyzer<NonIdempotentWriteInRetryAnalyzer>()
            .WithSource(Usings + source)
            .WithLibraries([Library.Polly, .. libraries]);

    // ---- SQL -----------------------------------------------------------------------------------

    [Fact]
    public Task A_Dapper_insert_in_a_Polly_callback_is_reported_with_the_table_and_the_retry()
        => Analyzer("""
            using Dapper;

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, IDbConnection connection, object payment, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await [|connection.ExecuteAsync("INSERT INTO payments (id, amount) VALUES (@Id, @Amount)", payment)|];
                    }, token);
                }
            }
            """, Library.Dapper)
            .WithMessages("'INSERT INTO payments' runs again on every retry of ExecuteAsync; make it idempotent (upsert or idempotency key)")
            .RunAsync();

    [Fact]
    public Task Increments_through_Dapper_CommandText_a_command_constructor_and_EF_raw_SQL_are_reported()
        => Analyzer("""
            using Dapper;
            using Microsoft.EntityFrameworkCore;

            class Accounts
            {
                const string Credit = "UPDATE accounts SET balance = balance + @Amount WHERE id = @Id";

                void Pay(ResiliencePipeline<int> pipeline, IDbConnection connection, DbConnection db, AppDb ef, decimal amount, int id)
                {
                    pipeline.Execute(() => [|connection.Execute(Credit, new { Amount = amount, Id = id })|]);
                    pipeline.Execute(() =>
                    {
                        using var command = db.CreateCommand();
                        [|command.CommandText = "update Accounts set Visits = 1 + Visits where Id = @id"|];
                        return command.ExecuteNonQuery();
                    });
                    pipeline.Execute(() => [|ef.Database.ExecuteSqlInterpolated($"UPDATE accounts SET \"Balance\" = \"Balance\" - {amount} WHERE id = {id}")|]);
                    pipeline.Execute(() => [|ef.Database.ExecuteSqlRaw("INSERT INTO audit VALUES (1)")|]);
                }
            }
            """ + Db, Library.Dapper, Library.EntityFrameworkCore)
            .WithMessages(
                "'UPDATE accounts SET balance = balance + @Amount' runs again on every retry of Execute; make it idempotent (set an absolute value, or guard it with a version check)",
                "'UPDATE Accounts SET Visits = 1 + Visits' runs again on every retry of Execute; make it idempotent (set an absolute value, or guard it with a version check)",
                "'UPDATE accounts SET \"Balance\" = \"Balance\" - @p' runs again on every retry of Execute; make it idempotent (set an absolute value, or guard it with a version check)",
                "'INSERT INTO audit' runs again on every retry of Execute; make it idempotent (upsert or idempotency key)")
            .RunAsync();

    [Fact]
    public Task Upserts_absolute_updates_version_checked_updates_deletes_and_reads_are_silent()
        => Analyzer("""
            using Dapper;

            class Accounts
            {
                async Task SyncAsync(ResiliencePipeline pipeline, IDbConnection connection, object row, string dynamicSql)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await connection.ExecuteAsync("INSERT INTO payments (id) VALUES (@Id) ON CONFLICT (id) DO NOTHING", row);
                        await connection.ExecuteAsync("insert into payments (id) values (@Id) on conflict (id) do update set amount = excluded.amount", row);
                        await connection.ExecuteAsync("INSERT INTO payments (id) SELECT @Id WHERE NOT EXISTS (SELECT 1 FROM payments WHERE id = @Id)", row);
                        await connection.ExecuteAsync("IF NOT EXISTS (SELECT 1 FROM payments WHERE id = @Id) INSERT INTO payments (id) VALUES (@Id)", row);
                        await connection.ExecuteAsync("MERGE INTO payments p USING (SELECT @Id AS id) s ON p.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id);", row);
                        await connection.ExecuteAsync("UPDATE accounts SET balance = @Balance WHERE id = @Id", row);
                        await connection.ExecuteAsync("UPDATE accounts SET balance = balance + @Amount, version = version + 1 WHERE id = @Id AND version = @Version", row);
                        await connection.ExecuteAsync("UPDATE accounts SET balance_total = @Amount + 1 WHERE id = @Id", row);
                        await connection.ExecuteAsync("DELETE FROM payments WHERE id = @Id", row);
                        await connection.QueryAsync<int>("SELECT id FROM payments");
                        await connection.ExecuteAsync(dynamicSql, row);
                    });
                }
            }
            """, Library.Dapper).RunAsync();

    // ---- EF Core -------------------------------------------------------------------------------

    [Fact]
    public Task An_EF_add_saved_in_the_same_callback_is_reported()
        => Analyzer("""
            class Orders
            {
                async Task SaveAsync(ResiliencePipeline pipeline, Order order, Order[] more, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var db = new AppDb();
                        [|db.Orders.Add(order)|];
                        [|db.AddRange(more)|];
                        await db.SaveChangesAsync(ct);
                    }, token);
                }
            }
            """ + Db, Library.EntityFrameworkCore)
            .WithMessages(
                "'Orders.Add' runs again on every retry of ExecuteAsync; make it idempotent (upsert or idempotency key)",
                "'db.AddRange' runs again on every retry of ExecuteAsync; make it idempotent (upsert or idempotency key)")
            .RunAsync();

    [Fact]
    public Task An_EF_add_not_saved_in_the_callback_or_saved_outside_any_retry_is_silent()
        => Analyzer("""
            class Orders
            {
                async Task SaveAsync(ResiliencePipeline pipeline, AppDb db, Order order)
                {
                    await pipeline.ExecuteAsync(async ct => { await db.SaveChangesAsync(ct); db.Orders.Add(order); });
                    pipeline.Execute(() => db.Orders.Add(order));
                    db.Orders.Add(order);
                    await db.SaveChangesAsync();
                }
            }
            """ + Db, Library.EntityFrameworkCore).RunAsync();

    // ---- HTTP ----------------------------------------------------------------------------------

    [Fact]
    public Task Posts_and_patches_without_a_request_key_are_reported()
        => Analyzer("""
            using System.Net.Http.Json;

            class Api
            {
                async Task SendAsync(ResiliencePipeline pipeline, HttpClient client, Order order, CancellationToken token)
                {
                    client.DefaultRequestHeaders.Add("Idempotency-Key", "not-per-request");
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await [|client.PostAsync("/payments", JsonContent.Create(order), ct)|];
                        await [|client.PatchAsync("/orders/1", null, ct)|];
                        await [|client.PostAsJsonAsync("/payments", order, ct)|];
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(order) };
                        await [|client.SendAsync(request, ct)|];
                        await [|client.SendAsync(new HttpRequestMessage { Method = HttpMethod.Patch, RequestUri = new Uri("/o", UriKind.Relative) }, ct)|];
                        await [|client.SendAsync(new HttpRequestMessage(new HttpMethod("POST"), "/x"), ct)|];
                    }, token);
                }
            }

            class Order { public int Id { get; set; } }
            """)
            .WithMessages(
                "'HttpClient.PostAsync' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)",
                "'HttpClient.PatchAsync' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)",
                "'HttpClient.PostAsJsonAsync' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)",
                "'HttpClient.SendAsync (POST)' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)",
                "'HttpClient.SendAsync (PATCH)' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)",
                "'HttpClient.SendAsync (POST)' runs again on every retry of ExecuteAsync; make it idempotent (send an Idempotency-Key header)")
            .RunAsync();

    [Fact]
    public Task Keyed_requests_puts_deletes_gets_and_the_runtime_helpers_are_silent()
        => Analyzer("""
            using Sluice;

            class Api
            {
                async Task SendAsync(ResiliencePipeline pipeline, HttpClient client, HttpContent content, string key, HttpRequestMessage prepared)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = content };
                        request.Headers.Add("Idempotency-Key", key);
                        await client.SendAsync(request, ct);
                        using var other = new HttpRequestMessage(HttpMethod.Patch, "/orders/1");
                        other.Headers.TryAddWithoutValidation(IdempotencyKey.HeaderName, key);
                        await client.SendAsync(other, ct);
                        await client.SendAsync(prepared, ct);
                        await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/orders/1"), ct);
                        await client.PutAsync("/orders/1", content, ct);
                        await client.DeleteAsync("/orders/1", ct);
                        await client.GetAsync("/orders/1", ct);
                        await client.PostWithIdempotencyKeyAsync("/payments", content, key, ct);
                        using var keyed = new HttpRequestMessage(HttpMethod.Post, "/payments");
                        await client.SendWithIdempotencyKeyAsync(keyed, key, ct);
                    });
                }
            }
            """, Library.SluiceRuntime).RunAsync();

    // ---- Files ---------------------------------------------------------------------------------

    [Fact]
    public Task Appends_are_reported_and_whole_file_writes_are_silent()
        => Analyzer("""
            class Export
            {
                async Task WriteAsync(ResiliencePipeline pipeline, string path, string line, string[] lines)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        [|File.AppendAllText(path, line)|];
                        await [|File.AppendAllLinesAsync(path, lines, ct)|];
                        using (var writer = [|File.AppendText(path)|]) { }
                        using (var writer = [|new StreamWriter(path, append: true)|]) { }
                        using (var stream = [|new FileStream(path, FileMode.Append)|]) { }
                        await File.WriteAllTextAsync(path, line, ct);
                        using (var writer = new StreamWriter(path, append: false)) { }
                        using (var stream = new FileStream(path, FileMode.Create)) { }
                    });
                }
            }
            """)
            .WithMessages(
                "'File.AppendAllText' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)",
                "'File.AppendAllLinesAsync' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)",
                "'File.AppendText' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)",
                "'new StreamWriter(..., append: true)' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)",
                "'new FileStream(..., FileMode.Append)' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)")
            .RunAsync();

    // ---- Retry scopes --------------------------------------------------------------------------

    [Fact]
    public Task SluiceResilience_retries_generic_pipelines_and_nested_lambdas_are_retry_scopes()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;
            using Sluice;

            class Export
            {
                async Task<int> WriteAsync(ResiliencePipeline<int> pipeline, string path, List<string> lines)
                {
                    await SluiceResilience.RetryAsync(async ct => await [|File.AppendAllTextAsync(path, "x", ct)|]);
                    SluiceResilience.Retry(_ => lines.ForEach(line => [|File.AppendAllText(path, line)|]));
                    return await pipeline.ExecuteAsync(async (state, ct) =>
                    {
                        [|File.AppendAllText(path, state)|];
                        return 1;
                    }, "state");
                }
            }
            """, Library.SluiceRuntime)
            .WithMessages(
                "'File.AppendAllTextAsync' runs again on every retry of SluiceResilience.RetryAsync; make it idempotent (write the whole file, or track what was already appended)",
                "'File.AppendAllText' runs again on every retry of SluiceResilience.Retry; make it idempotent (write the whole file, or track what was already appended)",
                "'File.AppendAllText' runs again on every retry of ExecuteAsync; make it idempotent (write the whole file, or track what was already appended)")
            .RunAsync();

    [Fact]
    public Task Writes_outside_a_retry_in_the_retry_predicate_or_in_other_callbacks_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using Sluice;

            class Export
            {
                async Task WriteAsync(ResiliencePipeline pipeline, string path, List<string> lines)
                {
                    File.AppendAllText(path, "once");
                    await SluiceResilience.RetryAsync(
                        ct => File.WriteAllTextAsync(path, "whole", ct),
                        ex => { File.AppendAllText(path + ".log", ex.Message); return true; });
                    lines.ForEach(line => File.AppendAllText(path, line));
                    await pipeline.ExecuteAsync(ct => WriteLineAsync(path, ct));
                }

                static async ValueTask WriteLineAsync(string path, CancellationToken ct) => await File.AppendAllTextAsync(path, "x", ct);
            }
            """, Library.SluiceRuntime).RunAsync();

    // ---- Hand-rolled retry loops (SLU402's shape) -----------------------------------------------------

    [Fact]
    public Task A_write_in_the_try_of_a_hand_rolled_retry_loop_is_reported_without_Polly_or_the_runtime()
        => Verify.Analyzer<NonIdempotentWriteInRetryAnalyzer>()
            .WithSource("""
                using System.IO;
                using System.Threading;

                class Ledger
                {
                    void Append(string path, string line)
                    {
                        for (var attempt = 1; attempt <= 3; attempt++)
                        {
                            try
                            {
                                [|File.AppendAllText(path, line)|];
                                return;
                            }
                            catch (IOException) when (attempt < 3)
                            {
                                Thread.Sleep(100);
                            }
                        }
                    }
                }
                """)
            .WithMessages("'File.AppendAllText' runs again on every retry of this hand-rolled retry loop; make it idempotent (write the whole file, or track what was already appended)")
            .RunAsync();

    [Fact]
    public Task Writes_in_a_per_record_loop_in_a_retry_loops_catch_or_after_it_are_silent()
        => Verify.Analyzer<NonIdempotentWriteInRetryAnalyzer>()
            .WithSource("""
                using System;
                using System.Collections.Generic;
                using System.IO;
                using System.Threading;

                class Ledger
                {
                    void Append(string path, List<string> lines, Action post)
                    {
                        // One attempt per record: nothing is repeated.
                        foreach (var line in lines)
                        {
                            try
                            {
                                File.AppendAllText(path, line);
                            }
                            catch (IOException)
                            {
                                File.AppendAllText(path + ".errors", line);
                            }
                        }

                        for (var attempt = 1; attempt <= 3; attempt++)
                        {
                            try
                            {
                                post();
                                break;
                            }
                            catch (IOException ex) when (attempt < 3)
                            {
                                // Once per failed attempt, which is what a failure log is for.
                                File.AppendAllText(path + ".log", ex.Message);
                                Thread.Sleep(100);
                            }
                        }

                        File.AppendAllText(path + ".done", "ok");
                    }
                }
                """)
            .RunAsync();

    [Fact]
    public Task A_look_alike_ResiliencePipeline_is_not_a_retry()
        => Verify.Analyzer<NonIdempotentWriteInRetryAnalyzer>()
            .WithSource("""
                using System;
                using System.IO;

                class ResiliencePipeline
                {
                    public void Execute(Action callback) => callback();
                }

                class Export
                {
                    void Write(ResiliencePipeline pipeline, string path) => pipeline.Execute(() => File.AppendAllText(path, "x"));
                }
                """)
            .RunAsync();

    // ---- Polly v7 and bulk loads ---------------------------------------------------------------

    [Fact]
    public Task EF_AddRange_saved_inside_a_Polly_v7_retry_policy_is_reported()
        => Analyzer("""
            using System.Collections.Generic;

            class Importer
            {
                async Task ImportAsync(AppDb db, List<Order> orders)
                {
                    var retry = Policy.Handle<DbException>().WaitAndRetryAsync(3, n => TimeSpan.FromSeconds(n));
                    await retry.ExecuteAsync(async () =>
                    {
                        [|db.Orders.AddRange(orders)|];
                        await db.SaveChangesAsync();
                    });
                }
            }
            """ + Db, Library.PollyV7, Library.EntityFrameworkCore)
            .WithMessages("'Orders.AddRange' runs again on every retry of this Polly retry policy's ExecuteAsync; make it idempotent (upsert or idempotency key)")
            .RunAsync();

    [Fact]
    public Task Raw_SQL_inserts_and_increments_in_Polly_v7_retry_policies_are_reported()
        => Analyzer("""
            using Microsoft.EntityFrameworkCore;
            using Polly.Retry;

            class Ledger(AsyncRetryPolicy retry)
            {
                async Task BookAsync(AppDb db, int id, decimal amount)
                {
                    await retry.ExecuteAsync(() => [|db.Database.ExecuteSqlRawAsync("INSERT INTO ledger (id, amount) VALUES ({0}, {1})", id, amount)|]);
                    await retry.ExecuteAndCaptureAsync(() => [|db.Database.ExecuteSqlInterpolatedAsync($"UPDATE accounts SET balance = balance + {amount} WHERE id = {id}")|]);
                }

                void Book(AppDb db, int id)
                    => Policy.Handle<DbException>().Retry(2).Execute(() => [|db.Database.ExecuteSqlRaw("INSERT INTO ledger (id) VALUES ({0})", id)|]);
            }
            """ + Db, Library.PollyV7, Library.EntityFrameworkCore).RunAsync();

    [Fact]
    public Task Bulk_copies_and_COPY_imports_in_a_retry_are_reported()
        => Analyzer("""
            using Microsoft.Data.SqlClient;
            using Npgsql;

            class Loader
            {
                async Task LoadAsync(ResiliencePipeline pipeline, SqlConnection sql, NpgsqlConnection pg, DataTable rows, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var bulk = new SqlBulkCopy(sql) { DestinationTableName = "orders" };
                        await [|bulk.WriteToServerAsync(rows, ct)|];
                    }, token);

                    var retry = Policy.Handle<NpgsqlException>().WaitAndRetryAsync(3, n => TimeSpan.FromSeconds(n));
                    await retry.ExecuteAsync(async () =>
                    {
                        await using var import = await [|pg.BeginBinaryImportAsync("COPY orders (id) FROM STDIN (FORMAT BINARY)")|];
                        await import.WriteRowAsync(default, 1);
                        await import.CompleteAsync();
                    });
                }
            }
            """, Library.PollyV7, Library.SqlClient, Library.Npgsql)
            .WithMessages(
                "'SqlBulkCopy.WriteToServerAsync' runs again on every retry of ExecuteAsync; make it idempotent (load into a staging table and upsert from it, or delete what a failed attempt loaded first)",
                "'NpgsqlConnection.BeginBinaryImportAsync' runs again on every retry of this Polly retry policy's ExecuteAsync; make it idempotent (load into a staging table and upsert from it, or delete what a failed attempt loaded first)")
            .RunAsync();

    [Fact]
    public Task Writes_in_Polly_v7_policies_that_are_not_a_known_retry_and_bulk_loads_outside_a_retry_are_silent()
        => Analyzer("""
            using Microsoft.Data.SqlClient;
            using Microsoft.EntityFrameworkCore;
            using Npgsql;

            class Loader(IAsyncPolicy configured)
            {
                async Task LoadAsync(AppDb db, SqlConnection sql, NpgsqlConnection pg, DataTable rows, int id)
                {
                    var breaker = Policy.Handle<DbException>().CircuitBreakerAsync(5, TimeSpan.FromSeconds(30));
                    await breaker.ExecuteAsync(() => db.Database.ExecuteSqlRawAsync("INSERT INTO ledger (id) VALUES ({0})", id));
                    await configured.ExecuteAsync(() => db.Database.ExecuteSqlRawAsync("INSERT INTO ledger (id) VALUES ({0})", id));

                    using var bulk = new SqlBulkCopy(sql) { DestinationTableName = "orders" };
                    await bulk.WriteToServerAsync(rows);
                    await Policy.Handle<NpgsqlException>().RetryAsync(2).ExecuteAsync(async () =>
                    {
                        await using var export = await pg.BeginBinaryExportAsync("COPY orders TO STDOUT (FORMAT BINARY)");
                    });
                }
            }
            """ + Db, Library.PollyV7, Library.SqlClient, Library.Npgsql, Library.EntityFrameworkCore).RunAsync();

    [Fact]
    public Task Increments_and_inserts_in_a_retry_loop_that_ends_on_a_success_flag_are_reported()
        => Analyzer("""
            using Dapper;
            using Microsoft.EntityFrameworkCore;

            class Counters
            {
                void Bump(IDbConnection connection, int id, int n)
                {
                    var done = false;
                    for (var attempt = 0; !done && attempt < 3; attempt++)
                    {
                        try
                        {
                            [|connection.Execute("UPDATE counters SET hits = hits + @n WHERE id = @id", new { n, id })|];
                            done = true;
                        }
                        catch (DbException)
                        {
                            Thread.Sleep(500);
                        }
                    }

                    if (!done)
                    {
                        throw new InvalidOperationException("Counter not updated.");
                    }
                }

                async Task LogAsync(AppDb db, string message)
                {
                    var saved = false;
                    var attempt = 0;
                    while (!saved && attempt++ < 3)
                    {
                        try
                        {
                            await [|db.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO audit (message) VALUES ({message})")|];
                            saved = true;
                        }
                        catch (DbException)
                        {
                            await Task.Delay(500);
                        }
                    }
                }
            }
            """ + Db, Library.Dapper, Library.EntityFrameworkCore)
            .WithMessages(
                "'UPDATE counters SET hits = hits + @n' runs again on every retry of this hand-rolled retry loop; make it idempotent (set an absolute value, or guard it with a version check)",
                "'INSERT INTO audit' runs again on every retry of this hand-rolled retry loop; make it idempotent (upsert or idempotency key)")
            .RunAsync();

    [Fact]
    public Task Writes_guarded_by_an_existence_check_inside_the_retry_are_silent()
        => Analyzer("""
            using System.Collections.Generic;
            using System.Linq;
            using Microsoft.EntityFrameworkCore;
            using Polly.Retry;

            class Seeder(AsyncRetryPolicy retry)
            {
                async Task SeedAsync(AppDb db, List<Order> orders)
                {
                    await retry.ExecuteAsync(async () =>
                    {
                        if (!db.Orders.Any())
                        {
                            await db.Orders.AddRangeAsync(orders);
                            await db.SaveChangesAsync();
                        }

                        if (await db.Orders.CountAsync() == 0)
                        {
                            db.Orders.AddRange(orders);
                        }
                        else
                        {
                            [|db.Orders.Add(new Order())|];
                        }

                        await db.SaveChangesAsync();
                    });
                }
            }
            """ + Db, Library.PollyV7, Library.EntityFrameworkCore).RunAsync();

    // ---- Transactions ----------------------------------------------------------------------------

    [Fact]
    public Task Database_writes_in_a_transaction_scope_the_retried_code_opens_and_completes_are_silent()
        => Analyzer("""
            using System.Transactions;
            using Dapper;
            using Microsoft.Data.SqlClient;

            class Loader
            {
                async Task PayAsync(ResiliencePipeline pipeline, IDbConnection connection, object payment, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using (var tx = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
                        {
                            await connection.ExecuteAsync("INSERT INTO payments (id, amount) VALUES (@Id, @Amount)", payment);
                            tx.Complete();
                        }
                    }, token);
                }

                void Load(SqlConnection sql, DataTable rows)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        try
                        {
                            using var tx = new TransactionScope(TransactionScopeOption.RequiresNew);
                            using var bulk = new SqlBulkCopy(sql) { DestinationTableName = "orders" };
                            bulk.WriteToServer(rows);
                            tx.Complete();
                            break;
                        }
                        catch (SqlException)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }

                void LoadWrapped(SqlConnection sql, DataTable rows)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        try
                        {
                            using (var scope = new JobTransaction(TransactionScopeOption.RequiresNew))
                            {
                                var bulk = new SqlBulkCopy(sql) { DestinationTableName = "orders" };
                                bulk.WriteToServer(rows);
                                scope.Complete();
                            }

                            break;
                        }
                        catch (SqlException)
                        {
                            Thread.Sleep(1000);
                        }
                    }
                }
            }

            sealed class JobTransaction(TransactionScopeOption option) : IDisposable
            {
                private readonly TransactionScope _scope = new(option);

                public void Complete() => _scope.Complete();

                public void Dispose() => _scope.Dispose();
            }
            """, Library.Dapper, Library.SqlClient).RunAsync();

    [Fact]
    public Task Writes_a_transaction_scope_does_not_roll_back_with_the_attempt_are_reported()
        => Analyzer("""
            using System.Transactions;
            using Dapper;

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, IDbConnection connection, HttpClient http, HttpContent body, object payment, CancellationToken token)
                {
                    // Opened outside the retried code: a retry runs inside the same transaction, after the failed attempt's insert.
                    using (var outer = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
                    {
                        await pipeline.ExecuteAsync(async ct =>
                        {
                            await [|connection.ExecuteAsync("INSERT INTO payments (id) VALUES (@Id)", payment)|];
                        }, token);
                        outer.Complete();
                    }

                    await pipeline.ExecuteAsync(async ct =>
                    {
                        // Never completed in the retried code.
                        using (var tx = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
                        {
                            await [|connection.ExecuteAsync("INSERT INTO payments (id) VALUES (@Id)", payment)|];
                        }

                        // Completed before the write.
                        using (var tx = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
                        {
                            tx.Complete();
                            await [|connection.ExecuteAsync("INSERT INTO ledger (id) VALUES (@Id)", payment)|];
                        }

                        // Suppress: no transaction at all.
                        using (var tx = new TransactionScope(TransactionScopeOption.Suppress, TransactionScopeAsyncFlowOption.Enabled))
                        {
                            await [|connection.ExecuteAsync("INSERT INTO audit (id) VALUES (@Id)", payment)|];
                            tx.Complete();
                        }

                        // No transaction rolls back an HTTP call or a file append.
                        using (var tx = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
                        {
                            await [|http.PostAsync("/payments", body, ct)|];
                            [|File.AppendAllText("payments.log", "paid")|];
                            tx.Complete();
                        }
                    }, token);
                }
            }
            """, Library.Dapper).RunAsync();
}
