using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Reliability;

/// <summary>
/// SLU303: finds network and database calls (HttpClient, ADO.NET — Npgsql included — and EF Core async APIs) that take a
/// CancellationToken but get none, in a member that has no token to pass and applies no timeout. Where a token is in
/// scope, CA2016 already asks for it; this rule covers the members that have nothing to pass.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NoDeadlineAnalyzer : DiagnosticAnalyzer
{
    internal static readonly IntOption DeadlineSeconds = new(
        RuleIds.NoDeadline, "deadline_seconds", defaultValue: 100, min: 1, max: 2_000_000,
        "The deadline (seconds) the fix gives the member's calls.");

    internal static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
        RuleIds.NoDeadline,
        title: "Network or database call with no deadline",
        messageFormat: "{0} gets no CancellationToken, and '{1}' has none to pass and applies no timeout, so nothing can stop or bound this call",
        RuleCategories.Reliability,
        DiagnosticSeverity.Info,
        description: "A network or database call that no token reaches cannot be stopped by a shutdown or bounded by a "
            + "deadline. Give the member a deadline (a CancellationTokenSource with a timeout) or accept a CancellationToken, "
            + "and pass the token on.");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var types = DeadlineTypes.TryCreate(start.Compilation);
            if (types is null)
            {
                return;
            }

            // Most members make no network or database call: a member's tokens and timeouts are looked at only when
            // one of its calls is a candidate, and once per member.
            var memberHasTokenOrDeadline = new ConcurrentDictionary<ISymbol, bool>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(
                operationContext =>
                {
                    var call = (IInvocationOperation)operationContext.Operation;
                    if (!types.IsCallWithoutToken(call))
                    {
                        return;
                    }

                    var member = operationContext.ContainingSymbol;
                    var body = call.Root();
                    if (memberHasTokenOrDeadline.GetOrAdd(member, m => types.HasTokenOrDeadline(m, ImmutableArray.Create(body))))
                    {
                        return;
                    }

                    var seconds = DeadlineSeconds.Read(operationContext.Options, call.Syntax.SyntaxTree);
                    operationContext.ReportDiagnostic(Diagnostic.Create(
                        Rule,
                        call.Syntax.GetLocation(),
                        DiagnosticProperties.WithSeconds(seconds),
                        $"{call.TargetMethod.ContainingType.Name}.{call.TargetMethod.Name}",
                        member.Name));
                },
                OperationKind.Invocation);
        });
    }
}

/// <summary>
/// The network and database types SLU303 knows, resolved once per compilation, and the member-level checks the
/// analyzer and its fix share.
/// </summary>
internal sealed class DeadlineTypes
{
    private readonly INamedTypeSymbol _cancellationToken;
    private readonly INamedTypeSymbol? _cancellationTokenSource;
    private readonly INamedTypeSymbol?[] _receivers;
    private readonly INamedTypeSymbol?[] _extensionClasses;

    private DeadlineTypes(Compilation compilation, INamedTypeSymbol cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _cancellationTokenSource = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
        _receivers =
        [
            compilation.GetTypeByMetadataName("System.Net.Http.HttpMessageInvoker"),
            compilation.GetTypeByMetadataName("System.Net.Http.HttpContent"),
            compilation.GetTypeByMetadataName("System.Data.Common.DbConnection"),
            compilation.GetTypeByMetadataName("System.Data.Common.DbCommand"),
            compilation.GetTypeByMetadataName("System.Data.Common.DbDataReader"),
            compilation.GetTypeByMetadataName("System.Data.Common.DbTransaction"),
            compilation.GetTypeByMetadataName("System.Data.Common.DbBatch"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.DbContext"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.DbSet`1"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade"),
        ];
        _extensionClasses =
        [
            compilation.GetTypeByMetadataName("System.Net.Http.Json.HttpClientJsonExtensions"),
            compilation.GetTypeByMetadataName("System.Net.Http.Json.HttpContentJsonExtensions"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.RelationalQueryableExtensions"),
            compilation.GetTypeByMetadataName("Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions"),
        ];
    }

    public static DeadlineTypes? TryCreate(Compilation compilation)
        => compilation.GetTypeByMetadataName("System.Threading.CancellationToken") is { } token
            ? new DeadlineTypes(compilation, token)
            : null;

    /// <summary>
    /// True when the member has a token or source to pass (a parameter of it or of a lambda or local function inside it,
    /// a local, a field or property of its type) or applies a timeout of its own (CancelAfter, WaitAsync, a
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

    /// <summary>The network and database calls in the member that take a CancellationToken but receive none that can fire.</summary>
    public IEnumerable<IInvocationOperation> CallsWithoutToken(ImmutableArray<IOperation> blocks)
        => blocks
            .SelectMany(block => block.DescendantsAndSelf())
            .OfType<IInvocationOperation>()
            .Where(IsCallWithoutToken);

    /// <summary>A network or database call that takes a CancellationToken but receives none that can fire.</summary>
    public bool IsCallWithoutToken(IInvocationOperation invocation)
        => IsNetworkOrDatabase(invocation.TargetMethod) && TakesToken(invocation) && !ReceivesToken(invocation);

    public bool IsToken(ITypeSymbol? type) => SymbolEqualityComparer.Default.Equals(type, _cancellationToken);

    private bool IsTokenOrSource(ITypeSymbol? type)
        => IsToken(type) || (_cancellationTokenSource is not null && SymbolEqualityComparer.Default.Equals(type, _cancellationTokenSource));

    private static bool AppliesTimeout(IMethodSymbol method)
        => method.Name is "CancelAfter" or "WaitAsync"
            || method.ContainingType is { Name: "ResiliencePipeline", ContainingNamespace.Name: "Polly" }
            || method.ContainingType is { Name: "SluiceResilience", ContainingNamespace.Name: "Sluice" };

    private bool IsNetworkOrDatabase(IMethodSymbol method)
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
            && argument.Value.WalkDownConversion() is not (IDefaultValueOperation or IFieldReferenceOperation { Field.Name: "None" } or IPropertyReferenceOperation { Property.Name: "None" }));
}
