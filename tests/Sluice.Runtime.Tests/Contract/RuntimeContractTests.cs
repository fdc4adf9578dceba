using System.Net;
using System.Reflection;
using System.Runtime.CompilerServices;
using Sluice.Contract;

namespace Sluice.Runtime.Tests.Contract;

/// <summary>
/// Holds the runtime to <see cref="RuntimeContract"/>, the names and limits the code fixes write code against: every
/// constant of the contract is a clause, and each clause checks the runtime by reflection (a type of the right kind,
/// members with the signatures the fixes bind to) or by calling it (a limit is accepted, one past it is rejected).
/// </summary>
public class RuntimeContractTests
{
    private const string Optional = " = default";

    private static readonly Assembly s_runtime = typeof(SluiceResilience).Assembly;
    private static readonly Dictionary<string, Func<Task>> s_clauses = new(StringComparer.Ordinal);

    public static TheoryData<string> Clauses => new(s_clauses.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Clauses))]
    public Task The_runtime_keeps_the_clause(string clause) => s_clauses[clause]();

    [Fact]
    public void Every_constant_of_the_contract_is_a_checked_clause()
    {
        var constants = typeof(RuntimeContract).GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public)
            .SelectMany(group => Constants(group).Select(field => $"{nameof(RuntimeContract)}.{group.Name}.{field.Name}"))
            .Concat(Constants(typeof(RuntimeContract)).Select(field => $"{nameof(RuntimeContract)}.{field.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(constants, s_clauses.Keys.Order(StringComparer.Ordinal));

        static IEnumerable<FieldInfo> Constants(Type type)
            => type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static).Where(field => field.IsLiteral);
    }

    static RuntimeContractTests()
    {
        Clause(RuntimeContract.Namespace, () =>
        {
            foreach (var typeName in TypeNames())
            {
                Assert.StartsWith(RuntimeContract.Namespace + ".", typeName, StringComparison.Ordinal);
                Assert.Equal(RuntimeContract.Namespace, RuntimeType(typeName).Namespace);
            }
        });

        AddResilienceClauses();
        AddBatchingClauses();
        AddFileClauses();
        AddDeadLetteringClauses();
        AddIdempotencyClauses();
        AddPipelineClauses();
    }

    private static void AddResilienceClauses()
    {
        const string Type = RuntimeContract.Resilience.TypeName;
        const string Operation = RuntimeContract.Resilience.OperationParameter;
        const string ShouldRetry = RuntimeContract.Resilience.ShouldRetryParameter;
        const string MaxAttempts = RuntimeContract.Resilience.MaxAttemptsParameter;
        const string Token = RuntimeContract.Resilience.CancellationTokenParameter;

        Clause(RuntimeContract.Resilience.TypeName, () => AssertStaticClass(Type));
        Clause(RuntimeContract.Resilience.TypeShortName, () => Assert.Equal(RuntimeContract.Resilience.TypeShortName, RuntimeType(Type).Name));

        Clause(RuntimeContract.Resilience.Retry, () => AssertOverloads(
            Type,
            RuntimeContract.Resilience.Retry,
            $"T Retry<T>(Func<CancellationToken, T> {Operation}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"T Retry<T>(Func<CancellationToken, T> {Operation}, Func<Exception, Boolean> {ShouldRetry}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"Void Retry(Action<CancellationToken> {Operation}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"Void Retry(Action<CancellationToken> {Operation}, Func<Exception, Boolean> {ShouldRetry}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})"));

        // The fix writes 'await RetryAsync(async ct => ...)': the Task forms are the ones such a lambda binds to.
        Clause(RuntimeContract.Resilience.RetryAsync, () => AssertOverloads(
            Type,
            RuntimeContract.Resilience.RetryAsync,
            $"Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> {Operation}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> {Operation}, Func<Exception, Boolean> {ShouldRetry}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"Task RetryAsync(Func<CancellationToken, Task> {Operation}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})",
            $"Task RetryAsync(Func<CancellationToken, Task> {Operation}, Func<Exception, Boolean> {ShouldRetry}, Int32 {MaxAttempts}{Optional}, CancellationToken {Token}{Optional})"));

        Clause(RuntimeContract.Resilience.IsTransient, () =>
        {
            AssertOverloads(Type, RuntimeContract.Resilience.IsTransient, "Boolean IsTransient(Exception exception)");

            // Written as a method group where a Func<Exception, bool> is expected, and called on a caught exception.
            var method = RuntimeType(Type).GetMethod(RuntimeContract.Resilience.IsTransient, [typeof(Exception)])!;
            var isTransient = method.CreateDelegate<Func<Exception, bool>>();
            Assert.True(isTransient(new TimeoutException()));
            Assert.False(isTransient(new ArgumentException("permanent")));
        });

        Clause(RuntimeContract.Resilience.WithTimeoutAsync, () => AssertOverloads(
            Type,
            RuntimeContract.Resilience.WithTimeoutAsync,
            $"Task<T> WithTimeoutAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken{Optional})",
            $"Task WithTimeoutAsync(TimeSpan timeout, Func<CancellationToken, Task> operation, CancellationToken cancellationToken{Optional})"));

        Clause(RuntimeContract.Resilience.OperationParameter, () =>
            Assert.All(RetryHelpers(), method => Assert.Equal(Operation, method.GetParameters()[0].Name)));
        Clause(RuntimeContract.Resilience.ShouldRetryParameter, () =>
            Assert.All(RetryHelpers().Where(method => method.GetParameters()[1].ParameterType == typeof(Func<Exception, bool>)), method => Assert.Equal(ShouldRetry, method.GetParameters()[1].Name)));
        Clause(RuntimeContract.Resilience.MaxAttemptsParameter, () =>
            Assert.All(RetryHelpers(), method => Assert.Contains(method.GetParameters(), p => p.Name == MaxAttempts && p.ParameterType == typeof(int) && p.IsOptional)));
        Clause(RuntimeContract.Resilience.CancellationTokenParameter, () =>
            Assert.All(RetryHelpers(), method => Assert.Contains(method.GetParameters(), p => p.Name == Token && p.ParameterType == typeof(CancellationToken) && p.IsOptional)));

        AsyncClause(RuntimeContract.Resilience.MaxAttempts, async () =>
        {
            const int Limit = RuntimeContract.Resilience.MaxAttempts;
            Assert.Equal(Limit, SluiceResilience.MaxAttemptsLimit);

            Assert.Equal(1, await SluiceResilience.RetryAsync(_ => Task.FromResult(1), maxAttempts: Limit));
            Assert.Equal(1, SluiceResilience.Retry(_ => 1, maxAttempts: Limit));
            var asyncError = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.RetryAsync(_ => Task.FromResult(1), maxAttempts: Limit + 1));
            Assert.Equal(MaxAttempts, asyncError.ParamName);
            var syncError = Assert.Throws<ArgumentOutOfRangeException>(() => SluiceResilience.Retry(_ => 1, maxAttempts: Limit + 1));
            Assert.Equal(MaxAttempts, syncError.ParamName);
        });

        AsyncClause(RuntimeContract.Resilience.MinTimeoutMilliseconds, async () =>
        {
            var limit = TimeSpan.FromMilliseconds(RuntimeContract.Resilience.MinTimeoutMilliseconds);
            Assert.Equal(1, await SluiceResilience.WithTimeoutAsync(limit, _ => Task.FromResult(1)));
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.WithTimeoutAsync(limit - TimeSpan.FromTicks(1), _ => Task.FromResult(1)));
            Assert.Equal("timeout", error.ParamName);
        });

        AsyncClause(RuntimeContract.Resilience.MaxTimeoutSeconds, async () =>
        {
            var limit = TimeSpan.FromSeconds(RuntimeContract.Resilience.MaxTimeoutSeconds);
            Assert.Equal(1, await SluiceResilience.WithTimeoutAsync(limit, _ => Task.FromResult(1)));
            var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SluiceResilience.WithTimeoutAsync(limit + TimeSpan.FromTicks(1), _ => Task.FromResult(1)));
            Assert.Equal("timeout", error.ParamName);
        });

        static IEnumerable<MethodInfo> RetryHelpers()
            => PublicStaticMethods(Type, RuntimeContract.Resilience.Retry).Concat(PublicStaticMethods(Type, RuntimeContract.Resilience.RetryAsync));
    }

    private static void AddBatchingClauses()
    {
        const string Type = RuntimeContract.Batching.TypeName;
        Clause(RuntimeContract.Batching.TypeName, () => AssertStaticClass(Type));

        Clause(RuntimeContract.Batching.InBatches, () => AssertOverloads(
            Type,
            RuntimeContract.Batching.InBatches,
            "IEnumerable<T[]> InBatches<T>(this IEnumerable<T> source, Int32 size)",
            "IAsyncEnumerable<T[]> InBatches<T>(this IAsyncEnumerable<T> source, Int32 size)",
            "IAsyncEnumerable<T[]> InBatches<T>(this IQueryable<T> source, Int32 size)"));

        Clause(RuntimeContract.Batching.MaxBatchSize, () =>
        {
            const int Limit = RuntimeContract.Batching.MaxBatchSize;
            Assert.Equal(Limit, SluiceBatchingExtensions.MaxBatchSize);

            // Every form the fixes write checks its size when called, before anything is read.
            var items = Array.Empty<int>();
            Assert.NotNull(items.InBatches(Limit));
            Assert.NotNull(items.ToAsyncEnumerable().InBatches(Limit));
            Assert.NotNull(items.AsQueryable().InBatches(Limit));
            Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => items.InBatches(Limit + 1)).ParamName);
            Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => items.ToAsyncEnumerable().InBatches(Limit + 1)).ParamName);
            Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => items.AsQueryable().InBatches(Limit + 1)).ParamName);
        });
    }

    private static void AddFileClauses()
    {
        const string Type = RuntimeContract.Files.TypeName;
        Clause(RuntimeContract.Files.TypeName, () => AssertStaticClass(Type));
        Clause(RuntimeContract.Files.ReadLines, () => AssertOverloads(Type, RuntimeContract.Files.ReadLines, "IEnumerable<String> ReadLines(String path)"));
        Clause(RuntimeContract.Files.ReadLinesAsync, () => AssertOverloads(
            Type, RuntimeContract.Files.ReadLinesAsync, $"IAsyncEnumerable<String> ReadLinesAsync(String path, CancellationToken cancellationToken{Optional})"));
    }

    private static void AddDeadLetteringClauses()
    {
        const string Sink = RuntimeContract.DeadLettering.SinkTypeName;
        const string Letter = RuntimeContract.DeadLettering.DeadLetterTypeName;
        const string Extensions = RuntimeContract.DeadLettering.SinkExtensionsTypeName;

        Clause(RuntimeContract.DeadLettering.SinkTypeName, () => Assert.True(RuntimeType(Sink).IsInterface, $"{Sink} is not an interface."));
        Clause(RuntimeContract.DeadLettering.DeadLetterTypeName, () => Assert.True(RuntimeType(Letter) is { IsClass: true, IsAbstract: false }, $"{Letter} is not a concrete class."));

        // DeadLetter.From(record, exception): a generic factory whose other parameters all have defaults.
        Clause(RuntimeContract.DeadLettering.From, () =>
        {
            var from = Assert.Single(PublicStaticMethods(Letter, RuntimeContract.DeadLettering.From));
            Assert.StartsWith("DeadLetter From<T>(T record, Exception exception, ", Display(from), StringComparison.Ordinal);
            Assert.All(from.GetParameters().Skip(2), parameter => Assert.True(parameter.IsOptional, $"{parameter.Name} of {Display(from)} has no default."));
        });

        // new JsonLinesDeadLetterSink("dead-letters/Owner.jsonl"), assigned to an IDeadLetterSink field.
        Clause(RuntimeContract.DeadLettering.JsonLinesSinkTypeName, () =>
        {
            var type = RuntimeType(RuntimeContract.DeadLettering.JsonLinesSinkTypeName);
            Assert.True(type is { IsClass: true, IsAbstract: false }, $"{type} is not a concrete class.");
            Assert.Contains(RuntimeType(Sink), type.GetInterfaces());
            Assert.Contains(
                type.GetConstructors(),
                constructor => constructor.GetParameters() is [{ ParameterType: var path }, .. var rest] && path == typeof(string) && rest.All(p => p.IsOptional));
        });

        Clause(RuntimeContract.DeadLettering.SinkExtensionsTypeName, () => AssertStaticClass(Extensions));
        Clause(RuntimeContract.DeadLettering.Write, () => AssertOverloads(
            Extensions, RuntimeContract.DeadLettering.Write, "Void Write(this IDeadLetterSink sink, DeadLetter deadLetter)"));
        Clause(RuntimeContract.DeadLettering.WriteAsync, () => AssertOverloads(
            Extensions, RuntimeContract.DeadLettering.WriteAsync, $"ValueTask WriteAsync(this IDeadLetterSink sink, DeadLetter deadLetter, CancellationToken cancellationToken{Optional})"));
    }

    private static void AddIdempotencyClauses()
    {
        const string Key = RuntimeContract.Idempotency.KeyTypeName;
        const string Extensions = RuntimeContract.Idempotency.HttpClientExtensionsTypeName;

        Clause(RuntimeContract.Idempotency.KeyTypeName, () => AssertStaticClass(Key));
        Clause(RuntimeContract.Idempotency.For, () => AssertOverloads(Key, RuntimeContract.Idempotency.For, "String For(String pipeline, String recordKey)"));
        Clause(RuntimeContract.Idempotency.HeaderNameField, () =>
        {
            var field = RuntimeType(Key).GetField(RuntimeContract.Idempotency.HeaderNameField, BindingFlags.Public | BindingFlags.Static);
            Assert.True(field is { IsLiteral: true } && field.FieldType == typeof(string), $"{Key}.{RuntimeContract.Idempotency.HeaderNameField} is not a public string constant.");
            Assert.Equal(RuntimeContract.Idempotency.HeaderName, field.GetRawConstantValue());
        });

        // The header the requests really carry, which SLU401 then recognizes as set.
        AsyncClause(RuntimeContract.Idempotency.HeaderName, async () =>
        {
            var handler = new RecordingHandler();
            using var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
            using var content = new StringContent("{}");
            (await client.PostWithIdempotencyKeyAsync("orders", content, "key-1")).Dispose();
            (await client.PatchWithIdempotencyKeyAsync("orders/1", content, "key-2")).Dispose();
            Assert.Equal(["key-1", "key-2"], handler.Requests.Select(request => Assert.Single(request.Headers.GetValues(RuntimeContract.Idempotency.HeaderName))));
        });

        Clause(RuntimeContract.Idempotency.HttpClientExtensionsTypeName, () => AssertStaticClass(Extensions));
        Clause(RuntimeContract.Idempotency.PostWithIdempotencyKeyAsync, () => AssertOverloads(
            Extensions,
            RuntimeContract.Idempotency.PostWithIdempotencyKeyAsync,
            $"Task<HttpResponseMessage> PostWithIdempotencyKeyAsync(this HttpClient client, String requestUri, HttpContent content, String idempotencyKey, CancellationToken cancellationToken{Optional})"));
        Clause(RuntimeContract.Idempotency.PatchWithIdempotencyKeyAsync, () => AssertOverloads(
            Extensions,
            RuntimeContract.Idempotency.PatchWithIdempotencyKeyAsync,
            $"Task<HttpResponseMessage> PatchWithIdempotencyKeyAsync(this HttpClient client, String requestUri, HttpContent content, String idempotencyKey, CancellationToken cancellationToken{Optional})"));
    }

    private static void AddPipelineClauses()
    {
        Clause(RuntimeContract.Pipelines.TypeName, () => AssertStaticClass(RuntimeContract.Pipelines.TypeName));
        Clause(RuntimeContract.Pipelines.MaxParallelism, () =>
        {
            const int Limit = RuntimeContract.Pipelines.MaxParallelism;
            Assert.Equal(Limit, SluicePipeline.MaxParallelism);
            Assert.NotNull(SluicePipeline.From(Array.Empty<int>()).WithParallelism(Limit));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => SluicePipeline.From(Array.Empty<int>()).WithParallelism(Limit + 1));
            Assert.Equal("degreeOfParallelism", error.ParamName);
        });
    }

    private static void Clause(object constant, Action check, [CallerArgumentExpression(nameof(constant))] string clause = "")
        => AsyncClause(constant, () => { check(); return Task.CompletedTask; }, clause);

    private static void AsyncClause(object constant, Func<Task> check, [CallerArgumentExpression(nameof(constant))] string clause = "")
        => s_clauses.Add(clause, check);

    /// <summary>The values of the contract's constants that name a type.</summary>
    private static IEnumerable<string> TypeNames()
        => typeof(RuntimeContract).GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public)
            .SelectMany(group => group.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.Name.EndsWith("TypeName", StringComparison.Ordinal))
            .Select(field => (string)field.GetRawConstantValue()!);

    private static Type RuntimeType(string metadataName)
    {
        var type = s_runtime.GetType(metadataName, throwOnError: false);
        Assert.True(type is { IsPublic: true }, $"'{metadataName}' is not a public type of {s_runtime.GetName().Name}.");
        return type!;
    }

    private static void AssertStaticClass(string metadataName)
        => Assert.True(RuntimeType(metadataName) is { IsClass: true, IsAbstract: true, IsSealed: true }, $"{metadataName} is not a static class.");

    private static IEnumerable<MethodInfo> PublicStaticMethods(string typeName, string name)
        => RuntimeType(typeName).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(method => method.Name == name);

    /// <summary>Each expected signature is one of the public static methods of that name.</summary>
    private static void AssertOverloads(string typeName, string name, params string[] expected)
    {
        var actual = PublicStaticMethods(typeName, name).Select(Display).ToList();
        Assert.All(expected, signature => Assert.Contains(signature, actual));
    }

    /// <summary>A method as C# would declare it, with type names unqualified and a default shown as "= default".</summary>
    private static string Display(MethodInfo method)
    {
        var generics = method.IsGenericMethod ? $"<{string.Join(", ", method.GetGenericArguments().Select(Display))}>" : "";
        var isExtension = method.IsDefined(typeof(ExtensionAttribute));
        var parameters = method.GetParameters().Select((p, i) =>
            $"{(isExtension && i == 0 ? "this " : "")}{Display(p.ParameterType)} {p.Name}{(p.IsOptional ? Optional : "")}");
        return $"{Display(method.ReturnType)} {method.Name}{generics}({string.Join(", ", parameters)})";
    }

    private static string Display(Type type)
    {
        if (type.IsArray)
        {
            return Display(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType || type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Display))}>";
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
