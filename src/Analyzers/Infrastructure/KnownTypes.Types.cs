using Microsoft.CodeAnalysis;
using Sluice.Contract;

namespace Sluice.Analyzers.Infrastructure;

/// <summary>The types, by library; each resolved on first use (see <see cref="Resolve"/>).</summary>
internal sealed partial class KnownTypes
{
    // System

    private object? _exception;

    /// <summary><c>System.Exception</c>.</summary>
    public INamedTypeSymbol? Exception => Resolve(ref _exception, "System.Exception");

    private object? _systemException;

    /// <summary><c>System.SystemException</c>.</summary>
    public INamedTypeSymbol? SystemException => Resolve(ref _systemException, "System.SystemException");

    private object? _operationCanceledException;

    /// <summary><c>OperationCanceledException</c> (TaskCanceledException derives from it).</summary>
    public INamedTypeSymbol? OperationCanceledException => Resolve(ref _operationCanceledException, "System.OperationCanceledException");

    private object? _timeSpan;

    /// <summary><c>TimeSpan</c>.</summary>
    public INamedTypeSymbol? TimeSpan => Resolve(ref _timeSpan, "System.TimeSpan");

    private object? _environment;

    /// <summary><c>Environment</c> (Exit, FailFast).</summary>
    public INamedTypeSymbol? Environment => Resolve(ref _environment, "System.Environment");

    private object? _console;

    /// <summary><c>Console</c>.</summary>
    public INamedTypeSymbol? Console => Resolve(ref _console, "System.Console");

    private object? _guid;

    /// <summary><c>Guid</c>.</summary>
    public INamedTypeSymbol? Guid => Resolve(ref _guid, "System.Guid");

    private object? _disposable;

    /// <summary><c>IDisposable</c>.</summary>
    public INamedTypeSymbol? Disposable => Resolve(ref _disposable, "System.IDisposable");

    private object? _asyncDisposable;

    /// <summary><c>IAsyncDisposable</c>.</summary>
    public INamedTypeSymbol? AsyncDisposable => Resolve(ref _asyncDisposable, "System.IAsyncDisposable");

    private object? _assembly;

    /// <summary><c>System.Reflection.Assembly</c> (GetManifestResourceStream).</summary>
    public INamedTypeSymbol? Assembly => Resolve(ref _assembly, "System.Reflection.Assembly");

    // System.Threading

    private object? _cancellationToken;

    /// <summary><c>CancellationToken</c>.</summary>
    public INamedTypeSymbol? CancellationToken => Resolve(ref _cancellationToken, "System.Threading.CancellationToken");

    private object? _cancellationTokenSource;

    /// <summary><c>CancellationTokenSource</c>.</summary>
    public INamedTypeSymbol? CancellationTokenSource => Resolve(ref _cancellationTokenSource, "System.Threading.CancellationTokenSource");

    private object? _timeout;

    /// <summary><c>System.Threading.Timeout</c> (Infinite, InfiniteTimeSpan).</summary>
    public INamedTypeSymbol? Timeout => Resolve(ref _timeout, "System.Threading.Timeout");

    private object? _thread;

    /// <summary><c>Thread</c>.</summary>
    public INamedTypeSymbol? Thread => Resolve(ref _thread, "System.Threading.Thread");

    private object? _waitHandle;

    /// <summary><c>WaitHandle</c>.</summary>
    public INamedTypeSymbol? WaitHandle => Resolve(ref _waitHandle, "System.Threading.WaitHandle");

    private object? _semaphoreSlim;

    /// <summary><c>SemaphoreSlim</c>.</summary>
    public INamedTypeSymbol? SemaphoreSlim => Resolve(ref _semaphoreSlim, "System.Threading.SemaphoreSlim");

    private object? _manualResetEventSlim;

    /// <summary><c>ManualResetEventSlim</c>.</summary>
    public INamedTypeSymbol? ManualResetEventSlim => Resolve(ref _manualResetEventSlim, "System.Threading.ManualResetEventSlim");

    private object? _countdownEvent;

    /// <summary><c>CountdownEvent</c>.</summary>
    public INamedTypeSymbol? CountdownEvent => Resolve(ref _countdownEvent, "System.Threading.CountdownEvent");

    private object? _monitor;

    /// <summary><c>Monitor</c>.</summary>
    public INamedTypeSymbol? Monitor => Resolve(ref _monitor, "System.Threading.Monitor");

    private object? _channelReader;

    /// <summary><c>ChannelReader&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ChannelReader => Resolve(ref _channelReader, "System.Threading.Channels.ChannelReader`1");

    // System.Threading.Tasks

    private object? _task;

    /// <summary><c>Task</c>.</summary>
    public INamedTypeSymbol? Task => Resolve(ref _task, "System.Threading.Tasks.Task");

    private object? _genericTask;

    /// <summary><c>Task&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericTask => Resolve(ref _genericTask, "System.Threading.Tasks.Task`1");

    private object? _parallel;

    /// <summary><c>Parallel</c>.</summary>
    public INamedTypeSymbol? Parallel => Resolve(ref _parallel, "System.Threading.Tasks.Parallel");

    private object? _taskCompletionSource;

    /// <summary><c>TaskCompletionSource</c> (the non-generic one).</summary>
    public INamedTypeSymbol? TaskCompletionSource => Resolve(ref _taskCompletionSource, "System.Threading.Tasks.TaskCompletionSource");

    private object? _genericTaskCompletionSource;

    /// <summary><c>TaskCompletionSource&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? GenericTaskCompletionSource => Resolve(ref _genericTaskCompletionSource, "System.Threading.Tasks.TaskCompletionSource`1");

    // System.Diagnostics

    private object? _process;

    /// <summary><c>Process</c>.</summary>
    public INamedTypeSymbol? Process => Resolve(ref _process, "System.Diagnostics.Process");

    private object? _debug;

    /// <summary><c>Debug</c>.</summary>
    public INamedTypeSymbol? Debug => Resolve(ref _debug, "System.Diagnostics.Debug");

    private object? _trace;

    /// <summary><c>Trace</c>.</summary>
    public INamedTypeSymbol? Trace => Resolve(ref _trace, "System.Diagnostics.Trace");

    // Collections

    private object? _genericList;

    /// <summary><c>List&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericList => Resolve(ref _genericList, "System.Collections.Generic.List`1");

    private object? _genericHashSet;

    /// <summary><c>HashSet&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericHashSet => Resolve(ref _genericHashSet, "System.Collections.Generic.HashSet`1");

    private object? _genericDictionary;

    /// <summary><c>Dictionary&lt;TKey, TValue&gt;</c>.</summary>
    public INamedTypeSymbol? GenericDictionary => Resolve(ref _genericDictionary, "System.Collections.Generic.Dictionary`2");

    private object? _genericSortedDictionary;

    /// <summary><c>SortedDictionary&lt;TKey, TValue&gt;</c>.</summary>
    public INamedTypeSymbol? GenericSortedDictionary => Resolve(ref _genericSortedDictionary, "System.Collections.Generic.SortedDictionary`2");

    private object? _genericSortedList;

    /// <summary><c>SortedList&lt;TKey, TValue&gt;</c>.</summary>
    public INamedTypeSymbol? GenericSortedList => Resolve(ref _genericSortedList, "System.Collections.Generic.SortedList`2");

    private object? _genericSortedSet;

    /// <summary><c>SortedSet&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericSortedSet => Resolve(ref _genericSortedSet, "System.Collections.Generic.SortedSet`1");

    private object? _genericQueue;

    /// <summary><c>Queue&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericQueue => Resolve(ref _genericQueue, "System.Collections.Generic.Queue`1");

    private object? _genericStack;

    /// <summary><c>Stack&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericStack => Resolve(ref _genericStack, "System.Collections.Generic.Stack`1");

    private object? _genericLinkedList;

    /// <summary><c>LinkedList&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericLinkedList => Resolve(ref _genericLinkedList, "System.Collections.Generic.LinkedList`1");

    private object? _concurrentBag;

    /// <summary><c>ConcurrentBag&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ConcurrentBag => Resolve(ref _concurrentBag, "System.Collections.Concurrent.ConcurrentBag`1");

    private object? _concurrentQueue;

    /// <summary><c>ConcurrentQueue&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ConcurrentQueue => Resolve(ref _concurrentQueue, "System.Collections.Concurrent.ConcurrentQueue`1");

    private object? _concurrentStack;

    /// <summary><c>ConcurrentStack&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? ConcurrentStack => Resolve(ref _concurrentStack, "System.Collections.Concurrent.ConcurrentStack`1");

    private object? _concurrentDictionary;

    /// <summary><c>ConcurrentDictionary&lt;TKey, TValue&gt;</c>.</summary>
    public INamedTypeSymbol? ConcurrentDictionary => Resolve(ref _concurrentDictionary, "System.Collections.Concurrent.ConcurrentDictionary`2");

    private object? _blockingCollection;

    /// <summary><c>BlockingCollection&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? BlockingCollection => Resolve(ref _blockingCollection, "System.Collections.Concurrent.BlockingCollection`1");

    private object? _asyncEnumerable;

    /// <summary><c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? AsyncEnumerable => Resolve(ref _asyncEnumerable, "System.Collections.Generic.IAsyncEnumerable`1");

    // System.Linq

    private object? _enumerable;

    /// <summary><c>System.Linq.Enumerable</c>.</summary>
    public INamedTypeSymbol? Enumerable => Resolve(ref _enumerable, "System.Linq.Enumerable");

    private object? _queryable;

    /// <summary><c>IQueryable</c>.</summary>
    public INamedTypeSymbol? Queryable => Resolve(ref _queryable, "System.Linq.IQueryable");

    private object? _genericQueryable;

    /// <summary><c>IQueryable&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericQueryable => Resolve(ref _genericQueryable, "System.Linq.IQueryable`1");

    // System.IO

    private object? _file;

    /// <summary><c>System.IO.File</c>.</summary>
    public INamedTypeSymbol? File => Resolve(ref _file, "System.IO.File");

    private object? _fileInfo;

    /// <summary><c>FileInfo</c>.</summary>
    public INamedTypeSymbol? FileInfo => Resolve(ref _fileInfo, "System.IO.FileInfo");

    private object? _directory;

    /// <summary><c>System.IO.Directory</c>.</summary>
    public INamedTypeSymbol? Directory => Resolve(ref _directory, "System.IO.Directory");

    private object? _stream;

    /// <summary><c>Stream</c>.</summary>
    public INamedTypeSymbol? Stream => Resolve(ref _stream, "System.IO.Stream");

    private object? _streamWriter;

    /// <summary><c>StreamWriter</c>.</summary>
    public INamedTypeSymbol? StreamWriter => Resolve(ref _streamWriter, "System.IO.StreamWriter");

    private object? _fileStream;

    /// <summary><c>FileStream</c>.</summary>
    public INamedTypeSymbol? FileStream => Resolve(ref _fileStream, "System.IO.FileStream");

    private object? _memoryStream;

    /// <summary><c>MemoryStream</c>.</summary>
    public INamedTypeSymbol? MemoryStream => Resolve(ref _memoryStream, "System.IO.MemoryStream");

    private object? _textWriter;

    /// <summary><c>TextWriter</c>.</summary>
    public INamedTypeSymbol? TextWriter => Resolve(ref _textWriter, "System.IO.TextWriter");

    private object? _textReader;

    /// <summary><c>TextReader</c> (StreamReader's base).</summary>
    public INamedTypeSymbol? TextReader => Resolve(ref _textReader, "System.IO.TextReader");

    private object? _binaryReader;

    /// <summary><c>BinaryReader</c>.</summary>
    public INamedTypeSymbol? BinaryReader => Resolve(ref _binaryReader, "System.IO.BinaryReader");

    // System.Text.Json

    private object? _jsonSerializer;

    /// <summary><c>System.Text.Json.JsonSerializer</c>.</summary>
    public INamedTypeSymbol? JsonSerializer => Resolve(ref _jsonSerializer, "System.Text.Json.JsonSerializer");

    // ADO.NET

    private object? _dbConnection;

    /// <summary><c>DbConnection</c>.</summary>
    public INamedTypeSymbol? DbConnection => Resolve(ref _dbConnection, "System.Data.Common.DbConnection");

    private object? _dbCommand;

    /// <summary><c>DbCommand</c>.</summary>
    public INamedTypeSymbol? DbCommand => Resolve(ref _dbCommand, "System.Data.Common.DbCommand");

    private object? _iDbCommand;

    /// <summary><c>IDbCommand</c>.</summary>
    public INamedTypeSymbol? IDbCommand => Resolve(ref _iDbCommand, "System.Data.IDbCommand");

    private object? _dbDataReader;

    /// <summary><c>DbDataReader</c>.</summary>
    public INamedTypeSymbol? DbDataReader => Resolve(ref _dbDataReader, "System.Data.Common.DbDataReader");

    private object? _iDataReader;

    /// <summary><c>IDataReader</c>.</summary>
    public INamedTypeSymbol? IDataReader => Resolve(ref _iDataReader, "System.Data.IDataReader");

    private object? _dbTransaction;

    /// <summary><c>DbTransaction</c>.</summary>
    public INamedTypeSymbol? DbTransaction => Resolve(ref _dbTransaction, "System.Data.Common.DbTransaction");

    private object? _dbBatch;

    /// <summary><c>DbBatch</c>.</summary>
    public INamedTypeSymbol? DbBatch => Resolve(ref _dbBatch, "System.Data.Common.DbBatch");

    private object? _dbException;

    /// <summary><c>DbException</c>.</summary>
    public INamedTypeSymbol? DbException => Resolve(ref _dbException, "System.Data.Common.DbException");

    private object? _dataAdapter;

    /// <summary><c>DataAdapter</c>.</summary>
    public INamedTypeSymbol? DataAdapter => Resolve(ref _dataAdapter, "System.Data.Common.DataAdapter");

    private object? _dataTable;

    /// <summary><c>DataTable</c>.</summary>
    public INamedTypeSymbol? DataTable => Resolve(ref _dataTable, "System.Data.DataTable");

    private object? _dataSet;

    /// <summary><c>DataSet</c>.</summary>
    public INamedTypeSymbol? DataSet => Resolve(ref _dataSet, "System.Data.DataSet");

    private object? _transactionScope;

    /// <summary><c>System.Transactions.TransactionScope</c> (an ambient transaction that connections opened in it enlist in).</summary>
    public INamedTypeSymbol? TransactionScope => Resolve(ref _transactionScope, "System.Transactions.TransactionScope");

    // HttpClient

    private object? _httpMessageInvoker;

    /// <summary><c>HttpMessageInvoker</c> (HttpClient's base).</summary>
    public INamedTypeSymbol? HttpMessageInvoker => Resolve(ref _httpMessageInvoker, "System.Net.Http.HttpMessageInvoker");

    private object? _httpClient;

    /// <summary><c>HttpClient</c>.</summary>
    public INamedTypeSymbol? HttpClient => Resolve(ref _httpClient, "System.Net.Http.HttpClient");

    private object? _httpContent;

    /// <summary><c>HttpContent</c>.</summary>
    public INamedTypeSymbol? HttpContent => Resolve(ref _httpContent, "System.Net.Http.HttpContent");

    private object? _httpRequestMessage;

    /// <summary><c>HttpRequestMessage</c>.</summary>
    public INamedTypeSymbol? HttpRequestMessage => Resolve(ref _httpRequestMessage, "System.Net.Http.HttpRequestMessage");

    private object? _httpMethod;

    /// <summary><c>HttpMethod</c>.</summary>
    public INamedTypeSymbol? HttpMethod => Resolve(ref _httpMethod, "System.Net.Http.HttpMethod");

    private object? _socketsHttpHandler;

    /// <summary><c>SocketsHttpHandler</c>.</summary>
    public INamedTypeSymbol? SocketsHttpHandler => Resolve(ref _socketsHttpHandler, "System.Net.Http.SocketsHttpHandler");

    private object? _httpClientJsonExtensions;

    /// <summary><c>HttpClientJsonExtensions</c> (PostAsJsonAsync...).</summary>
    public INamedTypeSymbol? HttpClientJsonExtensions => Resolve(ref _httpClientJsonExtensions, "System.Net.Http.Json.HttpClientJsonExtensions");

    private object? _httpContentJsonExtensions;

    /// <summary><c>HttpContentJsonExtensions</c> (ReadFromJsonAsync...).</summary>
    public INamedTypeSymbol? HttpContentJsonExtensions => Resolve(ref _httpContentJsonExtensions, "System.Net.Http.Json.HttpContentJsonExtensions");

    private object? _httpResponseMessage;

    /// <summary><c>HttpResponseMessage</c>.</summary>
    public INamedTypeSymbol? HttpResponseMessage => Resolve(ref _httpResponseMessage, "System.Net.Http.HttpResponseMessage");

    private object? _httpCompletionOption;

    /// <summary><c>HttpCompletionOption</c> (ResponseContentRead buffers the body, ResponseHeadersRead does not).</summary>
    public INamedTypeSymbol? HttpCompletionOption => Resolve(ref _httpCompletionOption, "System.Net.Http.HttpCompletionOption");

    // Microsoft.Extensions.Logging

    private object? _logger;

    /// <summary><c>Microsoft.Extensions.Logging.ILogger</c>.</summary>
    public INamedTypeSymbol? Logger => Resolve(ref _logger, "Microsoft.Extensions.Logging.ILogger");

    private object? _loggerExtensions;

    /// <summary><c>LoggerExtensions</c> (LogError...).</summary>
    public INamedTypeSymbol? LoggerExtensions => Resolve(ref _loggerExtensions, "Microsoft.Extensions.Logging.LoggerExtensions");

    // Microsoft.Extensions.Hosting

    private object? _host;

    /// <summary><c>IHost</c> (its StopAsync is bounded by HostOptions.ShutdownTimeout).</summary>
    public INamedTypeSymbol? Host => Resolve(ref _host, "Microsoft.Extensions.Hosting.IHost");

    // EF Core

    private object? _dbContext;

    /// <summary>EF Core's <c>DbContext</c>.</summary>
    public INamedTypeSymbol? DbContext => Resolve(ref _dbContext, "Microsoft.EntityFrameworkCore.DbContext");

    private object? _dbSet;

    /// <summary>EF Core's <c>DbSet&lt;TEntity&gt;</c>.</summary>
    public INamedTypeSymbol? DbSet => Resolve(ref _dbSet, "Microsoft.EntityFrameworkCore.DbSet`1");

    private object? _changeTracker;

    /// <summary>EF Core's <c>ChangeTracker</c>.</summary>
    public INamedTypeSymbol? ChangeTracker => Resolve(ref _changeTracker, "Microsoft.EntityFrameworkCore.ChangeTracking.ChangeTracker");

    private object? _databaseFacade;

    /// <summary>EF Core's <c>DatabaseFacade</c> (<c>context.Database</c>).</summary>
    public INamedTypeSymbol? DatabaseFacade => Resolve(ref _databaseFacade, "Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade");

    private object? _entityFrameworkQueryableExtensions;

    /// <summary>EF Core's <c>EntityFrameworkQueryableExtensions</c> (ToListAsync...).</summary>
    public INamedTypeSymbol? EntityFrameworkQueryableExtensions => Resolve(ref _entityFrameworkQueryableExtensions, "Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions");

    private object? _relationalQueryableExtensions;

    /// <summary>EF Core's <c>RelationalQueryableExtensions</c> (FromSql...).</summary>
    public INamedTypeSymbol? RelationalQueryableExtensions => Resolve(ref _relationalQueryableExtensions, "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions");

    private object? _relationalDatabaseFacadeExtensions;

    /// <summary>EF Core's <c>RelationalDatabaseFacadeExtensions</c> (ExecuteSql...).</summary>
    public INamedTypeSymbol? RelationalDatabaseFacadeExtensions => Resolve(ref _relationalDatabaseFacadeExtensions, "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions");

    // Dapper

    private object? _dapperSqlMapper;

    /// <summary>Dapper's <c>SqlMapper</c> (Query, Execute...).</summary>
    public INamedTypeSymbol? DapperSqlMapper => Resolve(ref _dapperSqlMapper, "Dapper.SqlMapper");

    private object? _dapperCommandDefinition;

    /// <summary>Dapper's <c>CommandDefinition</c>.</summary>
    public INamedTypeSymbol? DapperCommandDefinition => Resolve(ref _dapperCommandDefinition, "Dapper.CommandDefinition");

    // Npgsql

    private object? _npgsqlCommand;

    /// <summary>Npgsql's <c>NpgsqlCommand</c>.</summary>
    public INamedTypeSymbol? NpgsqlCommand => Resolve(ref _npgsqlCommand, "Npgsql.NpgsqlCommand");

    private object? _npgsqlConnection;

    /// <summary>Npgsql's <c>NpgsqlConnection</c>.</summary>
    public INamedTypeSymbol? NpgsqlConnection => Resolve(ref _npgsqlConnection, "Npgsql.NpgsqlConnection");

    // SqlClient

    private object? _sqlClientConnection;

    /// <summary><c>Microsoft.Data.SqlClient.SqlConnection</c>.</summary>
    public INamedTypeSymbol? SqlClientConnection => Resolve(ref _sqlClientConnection, "Microsoft.Data.SqlClient.SqlConnection");

    private object? _legacySqlClientConnection;

    /// <summary><c>System.Data.SqlClient.SqlConnection</c>.</summary>
    public INamedTypeSymbol? LegacySqlClientConnection => Resolve(ref _legacySqlClientConnection, "System.Data.SqlClient.SqlConnection");

    // MySQL (MySqlConnector, MySql.Data)

    private object? _mySqlConnectorConnection;

    /// <summary>MySqlConnector's <c>MySqlConnection</c>.</summary>
    public INamedTypeSymbol? MySqlConnectorConnection => Resolve(ref _mySqlConnectorConnection, "MySqlConnector.MySqlConnection");

    private object? _mySqlDataConnection;

    /// <summary>MySql.Data's <c>MySqlConnection</c>.</summary>
    public INamedTypeSymbol? MySqlDataConnection => Resolve(ref _mySqlDataConnection, "MySql.Data.MySqlClient.MySqlConnection");

    // Oracle

    private object? _oracleConnection;

    /// <summary><c>OracleConnection</c>.</summary>
    public INamedTypeSymbol? OracleConnection => Resolve(ref _oracleConnection, "Oracle.ManagedDataAccess.Client.OracleConnection");

    // Azure Cosmos DB

    private object? _cosmosClient;

    /// <summary><c>CosmosClient</c>.</summary>
    public INamedTypeSymbol? CosmosClient => Resolve(ref _cosmosClient, "Microsoft.Azure.Cosmos.CosmosClient");

    // SQLite (an embedded database: a local file, no network hop)

    private object? _sqliteConnection;

    /// <summary>Microsoft.Data.Sqlite's <c>SqliteConnection</c> (EF Core's SQLite provider is built on it).</summary>
    public INamedTypeSymbol? SqliteConnection => Resolve(ref _sqliteConnection, "Microsoft.Data.Sqlite.SqliteConnection");

    private object? _systemDataSqliteConnection;

    /// <summary>System.Data.SQLite's <c>SQLiteConnection</c>.</summary>
    public INamedTypeSymbol? SystemDataSqliteConnection => Resolve(ref _systemDataSqliteConnection, "System.Data.SQLite.SQLiteConnection");

    // Polly (v8 Polly.Core, v7 Polly)

    private object? _resiliencePipeline;

    /// <summary>Polly v8's <c>ResiliencePipeline</c>.</summary>
    public INamedTypeSymbol? ResiliencePipeline => Resolve(ref _resiliencePipeline, "Polly.ResiliencePipeline");

    private object? _genericResiliencePipeline;

    /// <summary>Polly v8's <c>ResiliencePipeline&lt;T&gt;</c>.</summary>
    public INamedTypeSymbol? GenericResiliencePipeline => Resolve(ref _genericResiliencePipeline, "Polly.ResiliencePipeline`1");

    private object? _retryStrategyOptions;

    /// <summary>Polly v8's <c>RetryStrategyOptions</c>.</summary>
    public INamedTypeSymbol? RetryStrategyOptions => Resolve(ref _retryStrategyOptions, "Polly.Retry.RetryStrategyOptions");

    private object? _genericRetryStrategyOptions;

    /// <summary>Polly v8's <c>RetryStrategyOptions&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? GenericRetryStrategyOptions => Resolve(ref _genericRetryStrategyOptions, "Polly.Retry.RetryStrategyOptions`1");

    private object? _predicateBuilder;

    /// <summary>Polly v8's <c>PredicateBuilder&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? PredicateBuilder => Resolve(ref _predicateBuilder, "Polly.PredicateBuilder`1");

    private object? _retryResiliencePipelineBuilderExtensions;

    /// <summary>Polly v8's <c>AddRetry</c> extensions.</summary>
    public INamedTypeSymbol? RetryResiliencePipelineBuilderExtensions => Resolve(ref _retryResiliencePipelineBuilderExtensions, "Polly.RetryResiliencePipelineBuilderExtensions");

    private object? _timeoutResiliencePipelineBuilderExtensions;

    /// <summary>Polly v8's <c>AddTimeout</c> extensions.</summary>
    public INamedTypeSymbol? TimeoutResiliencePipelineBuilderExtensions => Resolve(ref _timeoutResiliencePipelineBuilderExtensions, "Polly.TimeoutResiliencePipelineBuilderExtensions");

    private object? _pollyPolicy;

    /// <summary>Polly v7's <c>Policy</c> (Handle&lt;T&gt;()...).</summary>
    public INamedTypeSymbol? PollyPolicy => Resolve(ref _pollyPolicy, "Polly.Policy");

    private object? _pollyPolicyBuilder;

    /// <summary>Polly v7's <c>PolicyBuilder</c>.</summary>
    public INamedTypeSymbol? PollyPolicyBuilder => Resolve(ref _pollyPolicyBuilder, "Polly.PolicyBuilder");

    private object? _pollyRetrySyntax;

    /// <summary>Polly v7's retry extensions (Retry, WaitAndRetry) on a <c>PolicyBuilder</c>.</summary>
    public INamedTypeSymbol? PollyRetrySyntax => Resolve(ref _pollyRetrySyntax, "Polly.RetrySyntax");

    private object? _pollyAsyncRetrySyntax;

    /// <summary>Polly v7's async retry extensions (RetryAsync, WaitAndRetryAsync).</summary>
    public INamedTypeSymbol? PollyAsyncRetrySyntax => Resolve(ref _pollyAsyncRetrySyntax, "Polly.AsyncRetrySyntax");

    private object? _pollyRetryTResultSyntax;

    /// <summary>Polly v7's retry extensions on a <c>PolicyBuilder&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? PollyRetryTResultSyntax => Resolve(ref _pollyRetryTResultSyntax, "Polly.RetryTResultSyntax");

    private object? _pollyAsyncRetryTResultSyntax;

    /// <summary>Polly v7's async retry extensions on a <c>PolicyBuilder&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? PollyAsyncRetryTResultSyntax => Resolve(ref _pollyAsyncRetryTResultSyntax, "Polly.AsyncRetryTResultSyntax");

    private object? _pollyGenericPolicy;

    /// <summary>Polly v7's <c>Policy&lt;TResult&gt;</c> (Handle&lt;T&gt;() of a result-typed policy).</summary>
    public INamedTypeSymbol? PollyGenericPolicy => Resolve(ref _pollyGenericPolicy, "Polly.Policy`1");

    private object? _pollyGenericPolicyBuilder;

    /// <summary>Polly v7's <c>PolicyBuilder&lt;TResult&gt;</c>.</summary>
    public INamedTypeSymbol? PollyGenericPolicyBuilder => Resolve(ref _pollyGenericPolicyBuilder, "Polly.PolicyBuilder`1");

    private object? _pollyIsPolicy;

    /// <summary>Polly v7's <c>IsPolicy</c>, which every v7 policy implements.</summary>
    public INamedTypeSymbol? PollyIsPolicy => Resolve(ref _pollyIsPolicy, "Polly.IsPolicy");

    private object? _pollyRetryPolicy;

    /// <summary>Polly v7's <c>IRetryPolicy</c>, which every v7 retry policy implements.</summary>
    public INamedTypeSymbol? PollyRetryPolicy => Resolve(ref _pollyRetryPolicy, "Polly.Retry.IRetryPolicy");

    private object? _pollyTimeoutPolicy;

    /// <summary>Polly v7's <c>ITimeoutPolicy</c>, which every v7 timeout policy implements.</summary>
    public INamedTypeSymbol? PollyTimeoutPolicy => Resolve(ref _pollyTimeoutPolicy, "Polly.Timeout.ITimeoutPolicy");

    private object? _sqlBulkCopy;

    /// <summary><c>Microsoft.Data.SqlClient.SqlBulkCopy</c>.</summary>
    public INamedTypeSymbol? SqlBulkCopy => Resolve(ref _sqlBulkCopy, "Microsoft.Data.SqlClient.SqlBulkCopy");

    private object? _legacySqlBulkCopy;

    /// <summary><c>System.Data.SqlClient.SqlBulkCopy</c>.</summary>
    public INamedTypeSymbol? LegacySqlBulkCopy => Resolve(ref _legacySqlBulkCopy, "System.Data.SqlClient.SqlBulkCopy");

    // RabbitMQ.Client

    private object? _rabbitMqChannel;

    /// <summary>RabbitMQ.Client 7's <c>IChannel</c> (BasicAckAsync, BasicNackAsync...).</summary>
    public INamedTypeSymbol? RabbitMqChannel => Resolve(ref _rabbitMqChannel, "RabbitMQ.Client.IChannel");

    private object? _rabbitMqModel;

    /// <summary>RabbitMQ.Client 6's <c>IModel</c> (BasicAck, BasicNack...).</summary>
    public INamedTypeSymbol? RabbitMqModel => Resolve(ref _rabbitMqModel, "RabbitMQ.Client.IModel");

    private object? _rabbitMqAsyncEventingBasicConsumer;

    /// <summary>RabbitMQ.Client's <c>AsyncEventingBasicConsumer</c>.</summary>
    public INamedTypeSymbol? RabbitMqAsyncEventingBasicConsumer => Resolve(ref _rabbitMqAsyncEventingBasicConsumer, "RabbitMQ.Client.Events.AsyncEventingBasicConsumer");

    private object? _rabbitMqEventingBasicConsumer;

    /// <summary>RabbitMQ.Client 6's <c>EventingBasicConsumer</c>.</summary>
    public INamedTypeSymbol? RabbitMqEventingBasicConsumer => Resolve(ref _rabbitMqEventingBasicConsumer, "RabbitMQ.Client.Events.EventingBasicConsumer");

    private object? _rabbitMqBasicDeliverEventArgs;

    /// <summary>RabbitMQ.Client's <c>BasicDeliverEventArgs</c> (one delivered message).</summary>
    public INamedTypeSymbol? RabbitMqBasicDeliverEventArgs => Resolve(ref _rabbitMqBasicDeliverEventArgs, "RabbitMQ.Client.Events.BasicDeliverEventArgs");

    private object? _rabbitMqAsyncDefaultBasicConsumer;

    /// <summary>RabbitMQ.Client's <c>AsyncDefaultBasicConsumer</c> (HandleBasicDeliverAsync, overridden by consumers).</summary>
    public INamedTypeSymbol? RabbitMqAsyncDefaultBasicConsumer => Resolve(ref _rabbitMqAsyncDefaultBasicConsumer, "RabbitMQ.Client.AsyncDefaultBasicConsumer");

    private object? _rabbitMqAsyncBasicConsumer;

    /// <summary>RabbitMQ.Client's <c>IAsyncBasicConsumer</c> (HandleBasicDeliverAsync in 7, HandleBasicDeliver in 6), which consumers may implement directly.</summary>
    public INamedTypeSymbol? RabbitMqAsyncBasicConsumer => Resolve(ref _rabbitMqAsyncBasicConsumer, "RabbitMQ.Client.IAsyncBasicConsumer");

    private object? _rabbitMqBasicConsumer;

    /// <summary>RabbitMQ.Client 6's <c>IBasicConsumer</c> (a synchronous HandleBasicDeliver; DefaultBasicConsumer and EventingBasicConsumer implement it).</summary>
    public INamedTypeSymbol? RabbitMqBasicConsumer => Resolve(ref _rabbitMqBasicConsumer, "RabbitMQ.Client.IBasicConsumer");

    // Azure Service Bus

    private object? _serviceBusProcessor;

    /// <summary>Azure Service Bus's <c>ServiceBusProcessor</c>.</summary>
    public INamedTypeSymbol? ServiceBusProcessor => Resolve(ref _serviceBusProcessor, "Azure.Messaging.ServiceBus.ServiceBusProcessor");

    private object? _serviceBusReceiver;

    /// <summary>Azure Service Bus's <c>ServiceBusReceiver</c>.</summary>
    public INamedTypeSymbol? ServiceBusReceiver => Resolve(ref _serviceBusReceiver, "Azure.Messaging.ServiceBus.ServiceBusReceiver");

    private object? _serviceBusSender;

    /// <summary>Azure Service Bus's <c>ServiceBusSender</c> (SendMessageAsync).</summary>
    public INamedTypeSymbol? ServiceBusSender => Resolve(ref _serviceBusSender, "Azure.Messaging.ServiceBus.ServiceBusSender");

    private object? _processMessageEventArgs;

    /// <summary>Azure Service Bus's <c>ProcessMessageEventArgs</c> (one received message).</summary>
    public INamedTypeSymbol? ProcessMessageEventArgs => Resolve(ref _processMessageEventArgs, "Azure.Messaging.ServiceBus.ProcessMessageEventArgs");

    private object? _processSessionMessageEventArgs;

    /// <summary>Azure Service Bus's <c>ProcessSessionMessageEventArgs</c> (one message of a session).</summary>
    public INamedTypeSymbol? ProcessSessionMessageEventArgs => Resolve(ref _processSessionMessageEventArgs, "Azure.Messaging.ServiceBus.ProcessSessionMessageEventArgs");

    // Confluent.Kafka

    private object? _kafkaConsumer;

    /// <summary>Confluent.Kafka's <c>IConsumer&lt;TKey, TValue&gt;</c>.</summary>
    public INamedTypeSymbol? KafkaConsumer => Resolve(ref _kafkaConsumer, "Confluent.Kafka.IConsumer`2");

    private object? _kafkaProducer;

    /// <summary>Confluent.Kafka's <c>IProducer&lt;TKey, TValue&gt;</c> (Produce, ProduceAsync).</summary>
    public INamedTypeSymbol? KafkaProducer => Resolve(ref _kafkaProducer, "Confluent.Kafka.IProducer`2");

    private object? _kafkaConsumeResult;

    /// <summary>Confluent.Kafka's <c>ConsumeResult&lt;TKey, TValue&gt;</c> (one consumed message).</summary>
    public INamedTypeSymbol? KafkaConsumeResult => Resolve(ref _kafkaConsumeResult, "Confluent.Kafka.ConsumeResult`2");

    // CsvHelper

    private object? _csvReader;

    /// <summary>CsvHelper's <c>CsvReader</c>.</summary>
    public INamedTypeSymbol? CsvReader => Resolve(ref _csvReader, "CsvHelper.CsvReader");

    private object? _csvReaderInterface;

    /// <summary>CsvHelper's <c>IReader</c> (up to version 33: GetRecords, Read...).</summary>
    public INamedTypeSymbol? CsvReaderInterface => Resolve(ref _csvReaderInterface, "CsvHelper.IReader");

    // Microsoft.Data.Analysis

    private object? _analysisDataFrame;

    /// <summary>Microsoft.Data.Analysis's <c>DataFrame</c> (LoadCsv, LoadCsvFromString, LoadFrom).</summary>
    public INamedTypeSymbol? AnalysisDataFrame => Resolve(ref _analysisDataFrame, "Microsoft.Data.Analysis.DataFrame");

    // Parquet.Net

    private object? _parquetSerializer;

    /// <summary>Parquet.Net's <c>ParquetSerializer</c> (DeserializeAsync).</summary>
    public INamedTypeSymbol? ParquetSerializer => Resolve(ref _parquetSerializer, "Parquet.Serialization.ParquetSerializer");

    private object? _parquetReader;

    /// <summary>Parquet.Net's <c>ParquetReader</c> (row groups; ReadAsTableAsync in versions that have it).</summary>
    public INamedTypeSymbol? ParquetReader => Resolve(ref _parquetReader, "Parquet.ParquetReader");

    // .NET for Apache Spark (declared in tests only)

    private object? _sparkDataFrame;

    /// <summary>.NET for Apache Spark's <c>DataFrame</c>.</summary>
    public INamedTypeSymbol? SparkDataFrame => Resolve(ref _sparkDataFrame, "Microsoft.Spark.Sql.DataFrame");

    // The Sluice runtime: the code fixes switch to its forms when the compilation references it.

    private object? _sluiceResilience;

    /// <summary>The runtime's <c>SluiceResilience</c> (Retry, RetryAsync, WithTimeoutAsync, IsTransient).</summary>
    public INamedTypeSymbol? SluiceResilience => Resolve(ref _sluiceResilience, RuntimeContract.Resilience.TypeName);

    private object? _sluiceBatchingExtensions;

    /// <summary>The runtime's <c>SluiceBatchingExtensions</c> (InBatches).</summary>
    public INamedTypeSymbol? SluiceBatchingExtensions => Resolve(ref _sluiceBatchingExtensions, RuntimeContract.Batching.TypeName);

    private object? _sluiceFile;

    /// <summary>The runtime's <c>SluiceFile</c> (line streaming).</summary>
    public INamedTypeSymbol? SluiceFile => Resolve(ref _sluiceFile, RuntimeContract.Files.TypeName);

    private object? _sluiceHttpClientExtensions;

    /// <summary>The runtime's <c>SluiceHttpClientExtensions</c> (PostAsync with an idempotency key...).</summary>
    public INamedTypeSymbol? SluiceHttpClientExtensions => Resolve(ref _sluiceHttpClientExtensions, RuntimeContract.Idempotency.HttpClientExtensionsTypeName);

    private object? _idempotencyKey;

    /// <summary>The runtime's <c>IdempotencyKey</c>.</summary>
    public INamedTypeSymbol? IdempotencyKey => Resolve(ref _idempotencyKey, RuntimeContract.Idempotency.KeyTypeName);

    private object? _deadLetterSink;

    /// <summary>The runtime's <c>IDeadLetterSink</c>.</summary>
    public INamedTypeSymbol? DeadLetterSink => Resolve(ref _deadLetterSink, RuntimeContract.DeadLettering.SinkTypeName);

    private object? _deadLetter;

    /// <summary>The runtime's <c>DeadLetter</c>.</summary>
    public INamedTypeSymbol? DeadLetter => Resolve(ref _deadLetter, RuntimeContract.DeadLettering.DeadLetterTypeName);
}
