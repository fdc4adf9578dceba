using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;
using Sluice.Contract;

namespace Sluice.Analyzers.Shapes;

/// <summary>
/// The network and database calls SLU303 knows (HttpClient, ADO.NET, EF Core async APIs), and the checks the analyzer
/// and its fix share: which calls get no token, which of them do real network or database I/O that a token or deadline
/// would bound, whether a member has a token or deadline to give them, and which token a member can reach through a
/// context object or a base class.
/// </summary>
internal sealed class Deadlines
{
    /// <summary>Where a context exposes several tokens, the words of the one that fires on abort, cancel, stop or shutdown, in order.</summary>
    private static readonly string[] TokenWords = ["Abort", "Cancel", "Stopping", "Shutdown"];

    /// <summary>Calls a value is followed through to where it comes from (a response's body to its request, a reader to its command).</summary>
    private static readonly string[] PassThroughCalls = [.. LocalValues.AwaitingCalls, "EnsureSuccessStatusCode"];

    private readonly KnownTypes _types;
    private readonly INamedTypeSymbol _cancellationToken;
    private readonly INamedTypeSymbol?[] _receivers;
    private readonly INamedTypeSymbol?[] _extensionClasses;
    private readonly Lazy<bool> _onlyEmbeddedDatabases;
    private readonly ConcurrentDictionary<ISymbol, bool> _clientsWithTimeout = new(SymbolEqualityComparer.Default);

    private Deadlines(KnownTypes types, INamedTypeSymbol cancellationToken)
    {
        _types = types;
        _cancellationToken = cancellationToken;
        _receivers =
        [
            types.HttpMessageInvoker,
            types.HttpContent,
            types.DbConnection,
            types.DbCommand,
            types.DbDataReader,
            types.DbTransaction,
            types.DbBatch,
            types.DbContext,
            types.DbSet,
            types.DatabaseFacade,
        ];
        _extensionClasses =
        [
            types.HttpClientJsonExtensions,
            types.HttpContentJsonExtensions,
            types.EntityFrameworkQueryableExtensions,
            types.RelationalQueryableExtensions,
            types.RelationalDatabaseFacadeExtensions,
            types.DapperSqlMapper,
        ];
        _onlyEmbeddedDatabases = new Lazy<bool>(OnlyEmbeddedDatabases);
    }

    /// <summary>What a reported call talks to; the message says what bounds it.</summary>
    public enum CallKind
    {
        /// <summary>An HttpClient request: HttpClient.Timeout (100 s by default) bounds it.</summary>
        Http,

        /// <summary>A read of a body received unbuffered: HttpClient.Timeout does not cover it.</summary>
        HttpContent,

        /// <summary>A database call: the provider's command or connection timeout bounds it.</summary>
        Database,
    }

    /// <summary>Null when the compilation has no CancellationToken (nothing could be passed).</summary>
    public static Deadlines? TryCreate(KnownTypes types)
        => types.CancellationToken is { } token ? new Deadlines(types, token) : null;

    /// <summary>
    /// True when the member has a token or source to pass (a parameter of it or of a lambda or local function inside it,
    /// a local, a field or property its type declares) or applies a timeout of its own (CancelAfter, WaitAsync, a
    /// CancellationTokenSource, a Polly pipeline or a SluiceResilience helper): the rule leaves such members to CA2016.
    /// </summary>
    public bool HasTokenOrDeadline(ISymbol member, ImmutableArray<IOperation> blocks)
    {
        if (member is IMethodSymbol method && method.Parameters.Any(p => IsTokenOrSource(p.Type)))
        {
            return true;
        }

        if (member.ContainingType?.GetMembers().Any(m => m is IFieldSymbol f && IsTokenOrSource(f.Type) || m is IPropertySymbol p && IsTokenOrSource(p.Type)) == true)
        {
            return true;
        }

        foreach (var operation in blocks.SelectMany(block => block.DescendantsAndSelf()))
        {
            switch (operation)
            {
                case ILocalReferenceOperation local when IsTokenOrSource(local.Type):
                case IParameterReferenceOperation parameter when IsTokenOrSource(parameter.Type):
                case IObjectCreationOperation creation when IsTokenOrSource(creation.Type):
                case IAnonymousFunctionOperation function when function.Symbol.Parameters.Any(p => IsTokenOrSource(p.Type)):
                case ILocalFunctionOperation localFunction when localFunction.Symbol.Parameters.Any(p => IsTokenOrSource(p.Type)):
                    return true;
                case IInvocationOperation invocation when AppliesTimeout(invocation.TargetMethod):
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The calls of the member that the rule reports (the fix gives each of them the token): network and database calls
    /// that get no token and do I/O that nothing else bounds. The member-level check (<see cref="HasTokenOrDeadline"/>)
    /// is the caller's.
    /// </summary>
    public IEnumerable<IInvocationOperation> ReportedCalls(ImmutableArray<IOperation> blocks, ISymbol member, Settings settings)
        => blocks
            .SelectMany(block => block.DescendantsAndSelf())
            .OfType<IInvocationOperation>()
            .Where(call => IsCallWithoutToken(call) && !IsBoundedOrNotWorthADeadline(call, member, settings));

    /// <summary>A network or database call that takes a CancellationToken but receives none that can fire.</summary>
    public bool IsCallWithoutToken(IInvocationOperation invocation)
        => IsNetworkOrDatabase(invocation.TargetMethod) && TakesToken(invocation) && !ReceivesToken(invocation);

    /// <summary>
    /// True when a call without a token is still not worth a deadline: it does no network or database I/O (EF Core's
    /// AddAsync, a row accessor, a body already read into memory), something else bounds it (a timeout set on its
    /// client or command, a token registered to cancel its client's requests), it is cleanup that must run (a rollback
    /// in a catch or finally), setup code (seeding, migrations), a call to an embedded database, or unreachable.
    /// </summary>
    public bool IsBoundedOrNotWorthADeadline(IInvocationOperation call, ISymbol member, Settings settings)
    {
        var method = call.TargetMethod;
        var kind = KindOf(method);
        return DoesNoIo(call, kind)
            || SetupCode.IsSchemaSetup(method)
            || SetupCode.IsSetupMember(member, settings.SetupNames)
            || IsRollbackOnAFailurePath(call)
            || (kind == CallKind.Database && settings.SkipEmbeddedDatabases && IsEmbeddedDatabase(call))
            || IsBoundedByItsClientOrCommand(call, kind)
            || IsUnreachable(call);
    }

    /// <summary>
    /// A database call whose database is embedded (SQLite, see <see cref="IsEmbeddedDatabase"/>): waiting on it waits on a
    /// local file, not on a network that can stall, so neither a deadline (SLU303) nor a blocking read of its result
    /// (SLU302) is worth a finding.
    /// </summary>
    public bool IsEmbeddedDatabaseCall(IInvocationOperation call)
        => IsNetworkOrDatabase(call.TargetMethod) && KindOf(call.TargetMethod) == CallKind.Database && IsEmbeddedDatabase(call);

    /// <summary>What the call talks to (for the message).</summary>
    public CallKind KindOf(IMethodSymbol method)
    {
        var declaringType = method.IsExtensionMethod ? (method.ReducedFrom ?? method).ContainingType : method.ContainingType;
        if (Is(declaringType, _types.HttpClientJsonExtensions) || TypeSymbols.IsOrDerives(declaringType, _types.HttpMessageInvoker))
        {
            return CallKind.Http;
        }

        return Is(declaringType, _types.HttpContentJsonExtensions) || TypeSymbols.IsOrDerives(declaringType, _types.HttpContent)
            ? CallKind.HttpContent
            : CallKind.Database;
    }

    /// <summary>
    /// A CancellationToken the call's code can reach without having one in a variable: a token property of a parameter
    /// (<c>context.CancellationToken</c>, <c>httpContext.RequestAborted</c>), a token its type inherits, or a token
    /// property of a member of its type (<c>HttpContext.RequestAborted</c> in a controller). Null when there is none.
    /// </summary>
    public string? ReachableToken(IInvocationOperation call, ISymbol member)
    {
        for (var operation = call.Parent; operation is not null; operation = operation.Parent)
        {
            var parameters = operation switch
            {
                IAnonymousFunctionOperation function => function.Symbol.Parameters,
                ILocalFunctionOperation function => function.Symbol.Parameters,
                _ => ImmutableArray<IParameterSymbol>.Empty,
            };
            if (FromParameters(parameters) is { } fromLambda)
            {
                return fromLambda;
            }
        }

        if (member is not IMethodSymbol method)
        {
            return null;
        }

        if (FromParameters(method.Parameters) is { } fromParameter)
        {
            return fromParameter;
        }

        if (method.IsStatic || method.ContainingType is not { } type)
        {
            return null;
        }

        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            foreach (var inherited in baseType.GetMembers())
            {
                if (!inherited.IsStatic && !inherited.IsImplicitlyDeclared && inherited.DeclaredAccessibility != Accessibility.Private
                    && IsToken(TypeOf(inherited)))
                {
                    return inherited.Name;
                }
            }
        }

        for (var owner = (INamedTypeSymbol?)type; owner is not null; owner = owner.BaseType)
        {
            foreach (var held in owner.GetMembers())
            {
                if (held.IsStatic || held.IsImplicitlyDeclared || (!SymbolEqualityComparer.Default.Equals(owner, type) && held.DeclaredAccessibility == Accessibility.Private)
                    || held is not (IFieldSymbol or IPropertySymbol { IsIndexer: false }))
                {
                    continue;
                }

                if (TokenProperty(TypeOf(held)) is { } token)
                {
                    return $"{held.Name}.{token}";
                }
            }
        }

        return null;
    }

    public bool IsToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _cancellationToken);

    private string? FromParameters(ImmutableArray<IParameterSymbol> parameters)
    {
        foreach (var parameter in parameters)
        {
            if (TokenProperty(parameter.Type) is { } token)
            {
                return $"{parameter.Name}.{token}";
            }
        }

        return null;
    }

    /// <summary>
    /// The name of the CancellationToken property a context type exposes (its own, a base class's or an interface's);
    /// where it has several, the one named CancellationToken, else one that fires on abort, cancel, stop or shutdown.
    /// </summary>
    private string? TokenProperty(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || IsTokenOrSource(named) || named.SpecialType != SpecialType.None
            || TypeSymbols.IsNamespace(named.ContainingNamespace, "System") || TypeSymbols.IsNamespace(named.ContainingNamespace, "System.Threading"))
        {
            return null;
        }

        var names = new List<string>();
        foreach (var candidate in new[] { named }.Concat(BaseTypes(named)).Concat(named.AllInterfaces))
        {
            foreach (var property in candidate.GetMembers().OfType<IPropertySymbol>())
            {
                if (!property.IsStatic && property.DeclaredAccessibility == Accessibility.Public && IsToken(property.Type) && !names.Contains(property.Name))
                {
                    names.Add(property.Name);
                }
            }
        }

        if (names.Count <= 1)
        {
            return names.FirstOrDefault();
        }

        return names.FirstOrDefault(name => name == "CancellationToken")
            ?? TokenWords
                .Select(word => names.FirstOrDefault(name => name.IndexOf(word, StringComparison.Ordinal) >= 0))
                .FirstOrDefault(name => name is not null);
    }

    private static IEnumerable<INamedTypeSymbol> BaseTypes(INamedTypeSymbol type)
    {
        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            yield return baseType;
        }
    }

    private static ITypeSymbol? TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };

    /// <summary>
    /// A CancellationToken or CancellationTokenSource, or a type of that name the compilation cannot resolve (code
    /// analyzed without the usings its build adds, such as the SDK's implicit usings): the member declared a token, so
    /// the rule does not claim it has none.
    /// </summary>
    private bool IsTokenOrSource(ITypeSymbol? type)
        => _types.IsCancellationTokenOrSource(type) || type is IErrorTypeSymbol { Name: "CancellationToken" or "CancellationTokenSource" };

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type?.OriginalDefinition, expected);

    private static bool AppliesTimeout(IMethodSymbol method)
        => method.Name is "CancelAfter" or "WaitAsync" or "SetCommandTimeout"
            || method.ContainingType is { Name: "ResiliencePipeline", ContainingNamespace.Name: "Polly" }
            || (method.ContainingType is { Name: RuntimeContract.Resilience.TypeShortName } resilience && TypeSymbols.IsNamespace(resilience.ContainingNamespace, RuntimeContract.Namespace));

    /// <summary>An async call on a network or database client this helper knows (HttpClient, DbCommand, Dapper, EF Core...).</summary>
    public bool IsNetworkOrDatabase(IMethodSymbol method)
    {
        if (!method.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            return false;
        }

        if (method.IsExtensionMethod)
        {
            var extensionClass = (method.ReducedFrom ?? method).ContainingType;
            return _extensionClasses.Any(c => c is not null && SymbolEqualityComparer.Default.Equals(extensionClass, c));
        }

        return _receivers.Any(receiver => TypeSymbols.IsOrDerives(method.ContainingType, receiver));
    }

    /// <summary>The method has a token parameter (left at its default here), or an overload that adds one.</summary>
    private bool TakesToken(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.Parameters.Any(p => IsToken(p.Type)))
        {
            return true;
        }

        var declared = (method.ReducedFrom ?? method).OriginalDefinition;
        if (IsDapper(method))
        {
            // Dapper takes its token only inside a CommandDefinition: the call has an overload that takes one.
            return method.Parameters.Any(p => Is(p.Type, _types.DapperCommandDefinition))
                || declared.ContainingType.GetMembers(declared.Name).OfType<IMethodSymbol>().Any(overload => overload.Parameters.Any(p => Is(p.Type, _types.DapperCommandDefinition)));
        }

        var parameters = declared.Parameters;
        return declared.ContainingType.GetMembers(declared.Name).OfType<IMethodSymbol>().Any(overload =>
            overload.Parameters.Length == parameters.Length + 1
            && IsToken(overload.Parameters[overload.Parameters.Length - 1].Type)
            && overload.Parameters.Take(parameters.Length).Select(p => (ISymbol)p.Type.OriginalDefinition)
                .SequenceEqual(parameters.Select(p => (ISymbol)p.Type.OriginalDefinition), SymbolEqualityComparer.Default));
    }

    private bool ReceivesToken(IInvocationOperation invocation)
        => invocation.Arguments.Any(argument =>
            IsToken(argument.Value.Type)
            && argument.ArgumentKind != ArgumentKind.DefaultValue
            && argument.Value.WalkDownConversion() is not (IDefaultValueOperation or IFieldReferenceOperation { Field.Name: "None" } or IPropertyReferenceOperation { Property.Name: "None" }))
            || (IsDapper(invocation.TargetMethod) && DapperDefinitionReceivesToken(invocation));

    /// <summary>Dapper's <c>SqlMapper</c> extension methods (QueryAsync, ExecuteAsync...).</summary>
    public bool IsDapper(IMethodSymbol method)
        => _types.DapperSqlMapper is { } mapper && method.IsExtensionMethod && Is((method.ReducedFrom ?? method).ContainingType, mapper);

    /// <summary>
    /// The CommandDefinition a Dapper call is given, when this code creates it (<c>new CommandDefinition(...)</c>, in the
    /// call or in a local written once); null when the call takes none or it comes from elsewhere.
    /// </summary>
    public IObjectCreationOperation? DapperDefinition(IInvocationOperation call)
        => call.Arguments.FirstOrDefault(argument => Is(argument.Value.Type, _types.DapperCommandDefinition)) is { } definition
            && LocalValues.Origin(definition.Value, call.Root(), []) is IObjectCreationOperation creation
            ? creation
            : null;

    /// <summary>
    /// A Dapper call given a CommandDefinition that carries a token that can fire, or one made out of sight (a parameter,
    /// a helper's result: the rule cannot tell, and gives it the benefit of the doubt).
    /// </summary>
    private bool DapperDefinitionReceivesToken(IInvocationOperation call)
    {
        if (!call.Arguments.Any(argument => Is(argument.Value.Type, _types.DapperCommandDefinition)))
        {
            return false;
        }

        return DapperDefinition(call) is not { } creation
            || creation.Arguments.Any(argument =>
                IsToken(argument.Value.Type)
                && argument.ArgumentKind != ArgumentKind.DefaultValue
                && argument.Value.WalkDownConversion() is not (IDefaultValueOperation or IFieldReferenceOperation { Field.Name: "None" } or IPropertyReferenceOperation { Property.Name: "None" }));
    }

    /// <summary>
    /// A Dapper call given a command timeout (<c>commandTimeout: 30</c>, in the call or its CommandDefinition) other than
    /// a literal 0 (no timeout at all) or null (the provider's default).
    /// </summary>
    private bool IsDapperCallWithCommandTimeout(IInvocationOperation call)
    {
        var arguments = DapperDefinition(call) is { } creation ? creation.Arguments : call.Arguments;
        return arguments.Any(argument =>
            argument.Parameter?.Name == "commandTimeout"
            && argument.ArgumentKind != ArgumentKind.DefaultValue
            && argument.Value.WalkDownConversion() is not IDefaultValueOperation
            && argument.Value.WalkDownConversion().ConstantValue is not { HasValue: true, Value: null or 0 });
    }

    // ---- Calls that do no network or database I/O ---------------------------------------------------------------

    /// <summary>
    /// EF Core's <c>AddAsync</c>/<c>AddRangeAsync</c> (they only track the entity; only a HiLo key generator reads the
    /// database), a reader's row accessors (<c>IsDBNullAsync</c>, <c>GetFieldValueAsync</c>: the current row is already
    /// read), <c>UseTransactionAsync</c> (adopts an open transaction), and body reads other than of a response received
    /// unbuffered (see <see cref="IsStreamedResponseBody"/>).
    /// </summary>
    private bool DoesNoIo(IInvocationOperation call, CallKind kind)
    {
        var method = call.TargetMethod;
        switch (method.Name)
        {
            case "AddAsync" or "AddRangeAsync":
                return TypeSymbols.IsOrDerives(method.ContainingType, _types.DbSet) || TypeSymbols.IsOrDerives(method.ContainingType, _types.DbContext);
            case "IsDBNullAsync" or "GetFieldValueAsync":
                return TypeSymbols.IsOrDerives(method.ContainingType, _types.DbDataReader);
            case "UseTransactionAsync":
                return true;
        }

        // A body is read from the network only when the response was received without buffering it.
        return kind == CallKind.HttpContent && !IsStreamedResponseBody(call, _types);
    }

    /// <summary>
    /// The content read is the body of a response this code received unbuffered: from an HttpClient request made with
    /// <c>HttpCompletionOption.ResponseHeadersRead</c> (any option other than a constant <c>ResponseContentRead</c>), or
    /// from <c>HttpMessageInvoker.SendAsync</c>, which never buffers. A body built in memory, the body of a response
    /// received with the default <c>ResponseContentRead</c> (the request returns only once the whole body is read), and
    /// a body whose origin is out of sight (a response or content handed in or returned by a helper) are not: they are
    /// almost always in memory already.
    /// </summary>
    /// <summary>
    /// A read of an HTTP body (<c>HttpContent.ReadAs...Async</c>, the <c>System.Net.Http.Json</c> content extensions)
    /// that is already in memory: anything but the body of a response this code received unbuffered (see
    /// <see cref="IsStreamedResponseBody"/>). Such a read finishes on its own; SLU302 leaves waits on it alone too.
    /// </summary>
    public static bool IsBodyReadFromMemory(IInvocationOperation call, KnownTypes types)
    {
        var method = call.TargetMethod;
        var declaringType = method.IsExtensionMethod ? (method.ReducedFrom ?? method).ContainingType : method.ContainingType;
        return (Is(declaringType, types.HttpContentJsonExtensions) || TypeSymbols.IsOrDerives(declaringType, types.HttpContent))
            && !IsStreamedResponseBody(call, types);
    }

    private static bool IsStreamedResponseBody(IInvocationOperation call, KnownTypes types)
    {
        if (Receiver(call) is not { } receiver)
        {
            return false;
        }

        var root = call.Root();
        if (LocalValues.Origin(receiver, root, PassThroughCalls) is not IPropertyReferenceOperation { Property.Name: "Content", Instance: { } response } body
            || !TypeSymbols.IsOrDerives(body.Property.ContainingType, types.HttpResponseMessage)
            || LocalValues.Origin(response, root, PassThroughCalls) is not IInvocationOperation request)
        {
            return false;
        }

        var method = request.TargetMethod;
        var declaringType = method.IsExtensionMethod ? (method.ReducedFrom ?? method).ContainingType : method.ContainingType;
        if (Is(declaringType, types.HttpMessageInvoker))
        {
            return true;
        }

        var isClientRequest = TypeSymbols.IsOrDerives(declaringType, types.HttpClient) || Is(declaringType, types.HttpClientJsonExtensions);
        return isClientRequest && request.Arguments.Any(argument =>
            argument.ArgumentKind != ArgumentKind.DefaultValue
            && Is(argument.Value.Type, types.HttpCompletionOption)
            && argument.Value.ConstantValue is not { HasValue: true, Value: 0 });
    }

    // ---- Cleanup, embedded databases, bounds set elsewhere, unreachable code ---------------------------------------------

    /// <summary>
    /// A rollback in a catch or finally: it undoes a failed unit of work, and a token there (one that may already be
    /// cancelled, which is often why the work failed) would skip the rollback instead of bounding it.
    /// </summary>
    private static bool IsRollbackOnAFailurePath(IInvocationOperation call)
    {
        if (!call.TargetMethod.Name.StartsWith("Rollback", StringComparison.Ordinal))
        {
            return false;
        }

        for (IOperation? child = call, parent = call.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case ICatchClauseOperation:
                case ITryOperation @try when @try.Finally == child:
                    return true;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A call to an embedded database: its receiver is a SQLite connection, command, reader or transaction, or the
    /// compilation references an embedded provider (SQLite) and no network database provider, so every DbContext and
    /// DbConnection of it is a local file with no network hop.
    /// </summary>
    private bool IsEmbeddedDatabase(IInvocationOperation call)
    {
        if (Receiver(call)?.Type is { ContainingNamespace: { } ns } && (TypeSymbols.IsNamespace(ns, "Microsoft.Data.Sqlite") || TypeSymbols.IsNamespace(ns, "System.Data.SQLite")))
        {
            return true;
        }

        return _onlyEmbeddedDatabases.Value;
    }

    private bool OnlyEmbeddedDatabases()
        => (_types.SqliteConnection is not null || _types.SystemDataSqliteConnection is not null)
            && _types.NpgsqlConnection is null
            && _types.SqlClientConnection is null
            && _types.LegacySqlClientConnection is null
            && _types.MySqlConnectorConnection is null
            && _types.MySqlDataConnection is null
            && _types.OracleConnection is null
            && _types.CosmosClient is null;

    /// <summary>
    /// A bound the call's client or command carries: an HttpClient whose Timeout this type or member sets to a finite
    /// value, an HttpClient whose pending requests a token cancels (<c>token.Register(client.CancelPendingRequests)</c>),
    /// a command (a local, parameter, field or property) whose CommandTimeout this member sets before the call (the
    /// command's reader inherits it).
    /// </summary>
    private bool IsBoundedByItsClientOrCommand(IInvocationOperation call, CallKind kind)
    {
        if (kind == CallKind.HttpContent || Receiver(call) is not { } receiver)
        {
            return false;
        }

        if (IsDapper(call.TargetMethod))
        {
            return IsDapperCallWithCommandTimeout(call);
        }

        var root = call.Root();
        if (kind == CallKind.Http)
        {
            var client = LocalValues.ReferencedSymbol(receiver);
            return client is not null && (CancelsPendingRequests(client, root) || SetsFiniteTimeout(client, root));
        }

        var command = LocalValues.Origin(receiver, root, PassThroughCalls) is IInvocationOperation { TargetMethod.Name: "ExecuteReaderAsync" or "ExecuteReader" } execute
            && execute.Instance is { } executed
                ? LocalValues.ReferencedSymbol(executed)
                : LocalValues.ReferencedSymbol(receiver);
        var commandType = command switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            IFieldSymbol field => field.Type,
            IPropertySymbol property => property.Type,
            _ => null,
        };
        return command is not null && TypeSymbols.IsOrDerives(commandType, _types.DbCommand)
            && root.Descendants().Any(operation => operation is ISimpleAssignmentOperation
            {
                Target: IPropertyReferenceOperation { Property.Name: "CommandTimeout" } target,
            } assignment
                && assignment.Syntax.SpanStart < call.Syntax.SpanStart
                && assignment.Value.ConstantValue is not { HasValue: true, Value: 0 }
                && (target.Instance is null
                    ? command is ILocalSymbol local && IsInitializerOf(assignment, local, root)
                    : SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(target.Instance), command)));
    }

    private static bool IsInitializerOf(IOperation assignment, ILocalSymbol local, IOperation root)
    {
        for (var parent = assignment.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IObjectCreationOperation creation)
            {
                return LocalValues.OnlyDeclarator(local, root)?.GetVariableInitializer()?.Value.WalkDownConversion() == creation;
            }
        }

        return false;
    }

    private static bool CancelsPendingRequests(ISymbol client, IOperation root)
        => root.Descendants().Any(operation => operation switch
        {
            IMethodReferenceOperation { Method.Name: "CancelPendingRequests", Instance: { } instance } => SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(instance), client),
            IInvocationOperation { TargetMethod.Name: "CancelPendingRequests", Instance: { } instance } => SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(instance), client),
            _ => false,
        });

    /// <summary>
    /// The client's Timeout is set to a finite value: for a local, in this member; for a field or property, anywhere in
    /// the declaration of its type (an assignment or an object initializer, usually in the constructor).
    /// </summary>
    private bool SetsFiniteTimeout(ISymbol client, IOperation root)
    {
        if (client is ILocalSymbol)
        {
            return root.Descendants().Any(operation => operation is ISimpleAssignmentOperation
            {
                Target: IPropertyReferenceOperation { Property.Name: "Timeout" } target,
            } assignment
                && TypeSymbols.IsOrDerives(target.Property.ContainingType, _types.HttpClient)
                && !Timeouts.IsInfiniteTimeSpan(assignment.Value, _types)
                && (target.Instance is null ? IsInitializerOf(assignment, (ILocalSymbol)client, root) : SymbolEqualityComparer.Default.Equals(LocalValues.ReferencedSymbol(target.Instance), client)));
        }

        if (client is not (IFieldSymbol or IPropertySymbol) || client.ContainingType is not { } type)
        {
            return false;
        }

        return _clientsWithTimeout.GetOrAdd(client, c => type.DeclaringSyntaxReferences.Any(reference => SetsTimeoutIn(reference.GetSyntax(), c.Name)));
    }

    /// <summary><c>name.Timeout = x</c>, or <c>name = new HttpClient { Timeout = x }</c>, with x not infinite.</summary>
    private static bool SetsTimeoutIn(SyntaxNode type, string name)
    {
        foreach (var assignment in type.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Left is not (IdentifierNameSyntax { Identifier.ValueText: "Timeout" } or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Timeout" })
                || assignment.Right.ToString().IndexOf("Infinite", StringComparison.Ordinal) >= 0)
            {
                continue;
            }

            var owner = assignment.Left is MemberAccessExpressionSyntax access
                ? LastName(access.Expression)
                : assignment.Parent is InitializerExpressionSyntax { Parent: BaseObjectCreationExpressionSyntax creation } ? AssignedName(creation) : null;
            if (owner == name)
            {
                return true;
            }
        }

        return false;
    }

    private static string? AssignedName(SyntaxNode creation)
        => creation.Parent switch
        {
            AssignmentExpressionSyntax assignment => LastName(assignment.Left),
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } => declarator.Identifier.ValueText,
            EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
            _ => null,
        };

    private static string? LastName(ExpressionSyntax expression)
        => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            _ => null,
        };

    /// <summary>Code after a throw or return: it never runs, so it never waits.</summary>
    private static bool IsUnreachable(IInvocationOperation call)
    {
        var statement = call.Syntax.FirstAncestorOrSelf<StatementSyntax>();
        if (statement?.Parent is not BlockSyntax || call.SemanticModel is not { } model)
        {
            return false;
        }

        var flow = model.AnalyzeControlFlow(statement);
        return flow is { Succeeded: true, StartPointIsReachable: false };
    }

    // ---- Values ------------------------------------------------------------------------------------------------

    /// <summary>The object the call is made on: its receiver, or the <c>this</c> argument of an extension method.</summary>
    private static IOperation? Receiver(IInvocationOperation call)
    {
        if (call.Instance is { } instance)
        {
            return instance.WalkDownConversion();
        }

        return call.TargetMethod.IsExtensionMethod && call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is { } first
            ? first.Value.WalkDownConversion()
            : null;
    }

    /// <summary>What the analyzer reads from its options for one syntax tree.</summary>
    internal readonly struct Settings
    {
        public Settings(ImmutableArray<string> setupNames, bool skipEmbeddedDatabases)
        {
            SetupNames = setupNames;
            SkipEmbeddedDatabases = skipEmbeddedDatabases;
        }

        /// <summary>The name patterns of seeding, migration and installer code (see <see cref="SetupCode"/>).</summary>
        public ImmutableArray<string> SetupNames { get; }

        /// <summary>Leave calls to an embedded database (SQLite) alone.</summary>
        public bool SkipEmbeddedDatabases { get; }
    }
}
