using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Sluice.Analyzers.Infrastructure;

namespace Sluice.Analyzers.Shapes;

/// <summary>What a swallowed failure costs (see <see cref="SwallowStakes"/>).</summary>
internal enum StakeKind
{
    /// <summary>The catch is in a loop over records and the loop goes on: the current record is gone.</summary>
    RecordDropped,

    /// <summary>The try runs a loop over records and the catch ends it: the records after the failing one are skipped.</summary>
    BatchAbandoned,

    /// <summary>The catch is in a loop over records and leaves it (break, return): this record and every one after it are skipped.</summary>
    LoopLeft,

    /// <summary>The catch returns a made-up value (null, default, an empty object, NotFound) for an I/O or service call's result.</summary>
    ResultReplaced,

    /// <summary>The method returns a TaskCompletionSource's Task that the failed try would have completed: the caller waits forever.</summary>
    TaskNeverCompleted,

    /// <summary>An I/O or service call's failure is ignored and the method goes on to delete something as if it had succeeded.</summary>
    FailureIgnoredBeforeDelete,

    /// <summary>Reading a file fails, the catch substitutes a default, and the method then writes that default over the file.</summary>
    DefaultsWrittenBack,

    /// <summary>An OperationCanceledException caught around I/O that receives no token: only a timeout can land there.</summary>
    TimeoutHidden,

    /// <summary>The catch's own comment marks it unfinished (TODO, FIXME, HACK): its authors know the failure should not vanish.</summary>
    MarkedUnfinished,
}

/// <summary>
/// Where a swallowed failure puts data at stake — the facts SLU201 reports from. A catch that swallows (see
/// <see cref="CatchFate.Swallow"/>) is worth a warning when it loses a record or a batch, hands the caller a made-up
/// result for an I/O or service call, leaves an awaited task forever incomplete, lets the method go on to delete
/// something after a failed step, writes a default over the data it failed to read, or hides an I/O timeout. A catch
/// that only shares the syntax — a best-effort probe, a fallback computed from a value, a Try method — puts nothing
/// at stake and has no <see cref="SwallowStakes"/>.
/// </summary>
internal sealed class SwallowStakes
{
    private SwallowStakes(StakeKind kind, string? subject, string? detail)
    {
        Kind = kind;
        Subject = subject;
        Detail = detail;
    }

    /// <summary>What is at stake.</summary>
    public StakeKind Kind { get; }

    /// <summary>
    /// Data is lost, not just a failure hidden: a record or a batch is dropped, a file is overwritten with a default,
    /// a caller waits forever, or the authors flagged the catch as unfinished. A comment in the catch can explain why
    /// a caller need not see a failure; it cannot bring back what these lose.
    /// </summary>
    public bool LosesData => Kind is StakeKind.RecordDropped or StakeKind.LoopLeft or StakeKind.BatchAbandoned
        or StakeKind.DefaultsWrittenBack or StakeKind.TaskNeverCompleted or StakeKind.MarkedUnfinished;

    /// <summary>
    /// What is lost, for the message: the record (<c>'line'</c>), the loop's source, the substitute value, the task
    /// source, the call whose failure is ignored, the variable given a default; null where there is nothing to name.
    /// </summary>
    public string? Subject { get; }

    /// <summary>The second name the message needs: the failed call, the delete that follows, the file written back.</summary>
    public string? Detail { get; }

    /// <summary>What the swallow in <paramref name="fate"/> puts at stake, or null when nothing is.</summary>
    public static SwallowStakes? Of(CatchFate fate, KnownTypes types)
    {
        if (fate.Catch.Parent is not ITryOperation tryOperation)
        {
            return null;
        }

        var io = new IoCalls(types);
        if (fate.Swallow == SwallowKind.CancellationWithoutToken)
        {
            return io.First(tryOperation.Body, CallKind.Io) is { } timed
                ? new SwallowStakes(StakeKind.TimeoutHidden, null, timed)
                : null;
        }

        if (RecordLoop.Around(tryOperation, types) is { } loop
            && (loop.Record is null || Mentions(tryOperation.Body, loop.Record))
            && DoesWork(tryOperation.Body))
        {
            // Going on to the next record loses this one; leaving the loop (break, return) loses it and every record after it.
            if (fate.MovesToNextRecord(loop.Loop))
            {
                return new SwallowStakes(StakeKind.RecordDropped, loop.Record is null ? null : $"'{loop.Record.Name}'", loop.Source);
            }

            if (!fate.GoesOn(loop.Loop))
            {
                return new SwallowStakes(StakeKind.LoopLeft, loop.Record is null ? null : $"'{loop.Record.Name}'", loop.Source);
            }
        }

        if (TaskLeftIncomplete(fate, tryOperation, types) is { } taskSource)
        {
            return new SwallowStakes(StakeKind.TaskNeverCompleted, $"'{taskSource.Name}'", null);
        }

        var failedCall = io.First(tryOperation.Body, CallKind.IoOrService);
        // Control-flow analysis (EndIsReachable) is the costliest question here: asked last.
        if (failedCall is not null && !IsDeletion(failedCall) && DeleteAfter(tryOperation, io) is { } delete && EndIsReachable(fate))
        {
            return new SwallowStakes(StakeKind.FailureIgnoredBeforeDelete, failedCall, delete);
        }

        if (!fate.IsBroad)
        {
            // A specific exception type handled by a fallback is a decision about that failure.
            return null;
        }

        if (RecordLoop.Inside(tryOperation, types) is { } batch)
        {
            return new SwallowStakes(StakeKind.BatchAbandoned, batch.Source, null);
        }

        // A made-up result stands in for a service's or a database's answer. A direct HTTP, file or process read
        // that falls back to a default is, far more often, a best-effort probe (an icon, a cache, a version string).
        if (io.First(tryOperation.Body, CallKind.ServiceOrDatabase) is { } serviceCall && Substitute(fate, tryOperation) is { } substitute)
        {
            return new SwallowStakes(StakeKind.ResultReplaced, substitute, serviceCall);
        }

        if (DefaultWrittenBack(fate, tryOperation, types) is { } writtenBack)
        {
            return writtenBack;
        }

        return fate.IsMarkedUnfinished ? new SwallowStakes(StakeKind.MarkedUnfinished, null, null) : null;
    }

    /// <summary>
    /// The text of a made-up value the caller gets instead of the try's result: a literal, default, a new or empty
    /// object, NotFound() — returned by the catch, or by the method's next return when the catch falls through and the
    /// try returned its result.
    /// </summary>
    private static string? Substitute(CatchFate fate, ITryOperation tryOperation)
    {
        var returns = fate.Catch.Handler.OwnDescendants().OfType<IReturnOperation>().ToList();
        if (returns.Count == 0
            && tryOperation.Body.OwnDescendants().Any(o => o is IReturnOperation { ReturnedValue: not null })
            && NextReturn(tryOperation) is { } next
            && EndIsReachable(fate))
        {
            returns.Add(next);
        }

        foreach (var returned in returns)
        {
            if (returned.ReturnedValue is { } value && IsSubstitute(value.WalkDownConversion()))
            {
                var text = value.Syntax.ToString();
                return text.Length <= 40 ? $"'{text}'" : "a made-up value";
            }
        }

        return null;
    }

    /// <summary>The first return statement after <paramref name="tryOperation"/> in the method, through enclosing blocks.</summary>
    private static IReturnOperation? NextReturn(ITryOperation tryOperation)
    {
        IOperation current = tryOperation;
        while (current.Parent is { } parent and not (IAnonymousFunctionOperation or ILocalFunctionOperation))
        {
            if (parent is IBlockOperation block)
            {
                var index = block.Operations.IndexOf(current);
                foreach (var later in block.Operations.Skip(index + 1))
                {
                    if (later is IReturnOperation { Kind: OperationKind.Return } returned)
                    {
                        return returned;
                    }

                    if (later is not (IExpressionStatementOperation or IVariableDeclarationGroupOperation or IEmptyOperation))
                    {
                        return null;
                    }
                }
            }

            current = parent;
        }

        return null;
    }

    private static bool IsSubstitute(IOperation value)
        => !ReportsAnError(value) && value switch
        {
            ILiteralOperation or IDefaultValueOperation => true,
            IObjectCreationOperation creation => creation.Arguments.All(a => a.Value.WalkDownConversion() is ILiteralOperation or IDefaultValueOperation or ITypeOfOperation),
            IArrayCreationOperation => true,
            { } collection when CollectionExpressions.ElementsOf(collection) is not null => true,
            IFieldReferenceOperation { Field.IsStatic: true } or IPropertyReferenceOperation { Property.IsStatic: true } => true,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation } or IFieldReferenceOperation { Instance: IInstanceReferenceOperation } => true,
            IInvocationOperation call => call.Instance is null or IInstanceReferenceOperation && CatchFate.IsFactoryOfEmpty(call),
            _ => false,
        };

    /// <summary>
    /// A returned value that tells the caller something failed: <c>Problem()</c>, <c>StatusCode(500)</c>,
    /// <c>Result.Failure</c>, <c>new ErrorResponse(...)</c> — an error result, not a made-up success.
    /// </summary>
    private static bool ReportsAnError(IOperation value)
    {
        var name = value switch
        {
            IInvocationOperation call => call.TargetMethod.Name,
            IObjectCreationOperation creation => creation.Type?.Name,
            IPropertyReferenceOperation property => property.Property.Name,
            IFieldReferenceOperation field => field.Field.Name,
            _ => null,
        };
        return name is not null
            && (name.IndexOf("Error", StringComparison.Ordinal) >= 0 || name.IndexOf("Fail", StringComparison.Ordinal) >= 0
                || name.IndexOf("Problem", StringComparison.Ordinal) >= 0 || name.StartsWith("Status", StringComparison.Ordinal)
                || name is "BadRequest" or "Conflict" or "Unauthorized" or "Forbid" or "UnprocessableEntity" or "ServiceUnavailable");
    }

    /// <summary>
    /// The local TaskCompletionSource whose Task the method returns, when the try would have completed it (through a
    /// callback) and the catch neither completes it nor leaves the method.
    /// </summary>
    private static ILocalSymbol? TaskLeftIncomplete(CatchFate fate, ITryOperation tryOperation, KnownTypes types)
    {
        foreach (var returned in fate.Catch.Root().OwnDescendants().OfType<IReturnOperation>())
        {
            if (returned.ReturnedValue?.WalkDownConversion() is not IPropertyReferenceOperation { Property.Name: "Task", Instance: ILocalReferenceOperation source }
                || !(TypeSymbols.IsOrDerives(source.Type, types.GenericTaskCompletionSource) || TypeSymbols.IsOrDerives(source.Type, types.TaskCompletionSource)))
            {
                continue;
            }

            var local = source.Local;
            var completedInTry = tryOperation.Body.OwnDescendants().OfType<IInvocationOperation>()
                .Any(call => call.Instance is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local));
            if (!completedInTry && !Mentions(fate.Catch.Handler, local))
            {
                // Control-flow analysis last: it is the costliest question.
                return EndIsReachable(fate) ? local : null;
            }
        }

        return null;
    }

    /// <summary>A later call in the method that deletes something through I/O or a service (<c>DeleteAsync</c>, <c>PurgeUser</c>...).</summary>
    private static string? DeleteAfter(ITryOperation tryOperation, IoCalls io)
    {
        IOperation current = tryOperation;
        while (current.Parent is { } parent and not (IAnonymousFunctionOperation or ILocalFunctionOperation))
        {
            if (parent is IBlockOperation block)
            {
                var index = block.Operations.IndexOf(current);
                foreach (var later in block.Operations.Skip(index + 1))
                {
                    foreach (var call in later.OwnDescendants().OfType<IInvocationOperation>())
                    {
                        var name = call.TargetMethod.Name;
                        if (IsDeletion(name) && io.IsIoOrServiceCall(call))
                        {
                            return name;
                        }
                    }
                }
            }

            current = parent;
        }

        return null;
    }

    private static bool IsDeletion(string name)
        => name.StartsWith("Delete", StringComparison.Ordinal) || name.StartsWith("Purge", StringComparison.Ordinal)
            || name.StartsWith("Destroy", StringComparison.Ordinal) || name.StartsWith("Drop", StringComparison.Ordinal)
            || name.StartsWith("Remove", StringComparison.Ordinal);

    /// <summary>
    /// A catch that gives a local a default after the try failed to read it from a file, in a method that later writes
    /// that same file: the default replaces whatever the file held.
    /// </summary>
    private static SwallowStakes? DefaultWrittenBack(CatchFate fate, ITryOperation tryOperation, KnownTypes types)
    {
        var read = tryOperation.Body.OwnDescendants().Select(o => FilePathOf(o, types, write: false)).FirstOrDefault(p => p is not null);
        if (read is null)
        {
            return null;
        }

        var defaulted = fate.Catch.Handler.OwnDescendants().OfType<ISimpleAssignmentOperation>()
            .Select(a => a.Target as ILocalReferenceOperation)
            .FirstOrDefault(l => l is not null);
        if (defaulted is null)
        {
            return null;
        }

        var after = fate.Catch.Root().OwnDescendants()
            .Where(o => o.Syntax.SpanStart > tryOperation.Syntax.Span.End)
            .Any(o => FilePathOf(o, types, write: true) is { } written && SymbolEqualityComparer.Default.Equals(written, read));
        return after ? new SwallowStakes(StakeKind.DefaultsWrittenBack, $"'{defaulted.Local.Name}'", $"'{read.Name}'") : null;
    }

    /// <summary>The path (a parameter or local) a file read or write of <paramref name="operation"/> uses.</summary>
    private static ISymbol? FilePathOf(IOperation operation, KnownTypes types, bool write)
    {
        IOperation? path = null;
        switch (operation)
        {
            case IInvocationOperation { Arguments.Length: > 0 } call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, types.File):
                var name = call.TargetMethod.Name;
                var isWrite = name.StartsWith("Write", StringComparison.Ordinal) || name.StartsWith("Append", StringComparison.Ordinal)
                    || name is "Create" or "CreateText" or "OpenWrite" or "Replace";
                var isRead = name.StartsWith("Read", StringComparison.Ordinal) || name is "OpenRead" or "OpenText" or "Open";
                if (write ? isWrite : isRead)
                {
                    path = call.Arguments[0].Value;
                }

                break;
            case IObjectCreationOperation { Arguments.Length: > 0 } creation when creation.Type is { Name: "FileStream" or "StreamReader" or "StreamWriter" }:
                var writes = creation.Type.Name == "StreamWriter"
                    || (creation.Type.Name == "FileStream" && creation.Arguments.Length > 1
                        && creation.Arguments[1].Value.Syntax.ToString() is var mode
                        && (mode.Contains("Create") || mode.Contains("Truncate") || mode.Contains("Append")));
                if (writes == write && creation.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String)
                {
                    path = creation.Arguments[0].Value;
                }

                break;
        }

        return path?.WalkDownConversion() switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            ILocalReferenceOperation local => local.Local,
            _ => null,
        };
    }

    /// <summary>The block calls or creates something (not only logging): it processes the record rather than reading a property of it.</summary>
    private static bool DoesWork(IOperation block)
        => block.OwnDescendants().Any(o => o is IObjectCreationOperation or IInvalidOperation or IDynamicInvocationOperation or IDynamicObjectCreationOperation
            || (o is IInvocationOperation call && !Logging.LooksLikeLogging(call)));

    private static bool Mentions(IOperation operation, ILocalSymbol local)
        => operation.DescendantsAndSelf().OfType<ILocalReferenceOperation>().Any(r => SymbolEqualityComparer.Default.Equals(r.Local, local));

    private static bool EndIsReachable(CatchFate fate)
    {
        var body = fate.Catch.Handler;
        if (body.Operations.IsEmpty)
        {
            return true;
        }

        // Control-flow analysis walks the whole method: answer from the handler's own operations when they settle it.
        // A handler that ends in a jump never reaches its end; one with no jump and no loop anywhere does (unless the whole
        // statement is dead code, which the compiler already reports).
        if (body.Operations[body.Operations.Length - 1] is IReturnOperation { Kind: OperationKind.Return or OperationKind.YieldBreak } or IBranchOperation or IExpressionStatementOperation { Operation: IThrowOperation })
        {
            return false;
        }

        if (!body.OwnDescendants().Any(operation => operation is IReturnOperation or IBranchOperation or IThrowOperation or ILoopOperation))
        {
            return true;
        }

        var flow = fate.Catch.SemanticModel?.AnalyzeControlFlow(body.Operations[0].Syntax, body.Operations[body.Operations.Length - 1].Syntax);
        return flow is not { Succeeded: true, EndPointIsReachable: false };
    }

    /// <summary>Which calls <see cref="IoCalls.First"/> looks for.</summary>
    private enum CallKind
    {
        /// <summary>File, stream, HTTP and database I/O.</summary>
        Io,

        /// <summary>I/O, or a call to another service of the application.</summary>
        IoOrService,

        /// <summary>A call to another service of the application, or a database call.</summary>
        ServiceOrDatabase,
    }

    /// <summary>
    /// The calls whose failure loses data: file, stream, HTTP and database I/O by their types, and — as a service
    /// boundary — an awaited call (or a blocking .Result) on an application object held in a field, property or parameter.
    /// </summary>
    private sealed class IoCalls(KnownTypes types)
    {
        /// <summary>The name of the first call of <paramref name="kind"/> that runs as part of <paramref name="block"/>, or null.</summary>
        public string? First(IOperation block, CallKind kind)
        {
            foreach (var operation in block.OwnDescendants())
            {
                switch (operation)
                {
                    case IInvocationOperation call when kind switch
                    {
                        CallKind.Io => IsIo(call),
                        CallKind.IoOrService => IsIo(call) || IsServiceCall(call),
                        _ => IsDatabase(call) || IsServiceCall(call),
                    }:
                        return call.TargetMethod.Name;
                    case IAwaitOperation { Operation: var awaited } when kind != CallKind.Io && UnboundCallOnMember(awaited) is { } unbound:
                        // A call the compiler could not bind (a missing reference) on a field, property or parameter.
                        return unbound;
                    case IObjectCreationOperation { Arguments.Length: > 0 } creation
                        when kind != CallKind.ServiceOrDatabase && creation.Type is { Name: "FileStream" or "StreamReader" or "StreamWriter" }:
                        return "new " + creation.Type.Name;
                }
            }

            return null;
        }

        /// <summary>An ADO.NET, Dapper or EF Core call that goes to the database.</summary>
        private bool IsDatabase(IInvocationOperation call)
        {
            var method = call.TargetMethod;
            var type = (method.ReducedFrom ?? method).ContainingType;
            if (type is null)
            {
                return false;
            }

            if (Is(type, types.DapperSqlMapper) || Is(type, types.EntityFrameworkQueryableExtensions) || Is(type, types.RelationalDatabaseFacadeExtensions))
            {
                return true;
            }

            var receiver = call.Instance?.Type ?? type;
            return TypeSymbols.IsOrDerives(receiver, types.DbConnection)
                || TypeSymbols.IsOrDerives(receiver, types.DbCommand)
                || TypeSymbols.IsOrDerives(receiver, types.IDbCommand)
                || TypeSymbols.IsOrDerives(receiver, types.DbDataReader)
                || (TypeSymbols.IsOrDerives(receiver, types.DbContext) && method.Name.StartsWith("SaveChanges", StringComparison.Ordinal));
        }

        public bool IsIoOrServiceCall(IInvocationOperation call) => IsIo(call) || IsServiceCall(call);

        private bool IsIo(IInvocationOperation call)
        {
            var method = call.TargetMethod;
            var type = (method.ReducedFrom ?? method).ContainingType;
            if (type is null)
            {
                return false;
            }

            if (SymbolEqualityComparer.Default.Equals(type, types.File) || SymbolEqualityComparer.Default.Equals(type, types.Directory))
            {
                return method.Name is not ("Exists" or "GetCurrentDirectory");
            }

            if (Is(type, types.HttpClientJsonExtensions) || Is(type, types.HttpContentJsonExtensions) || Is(type, types.DapperSqlMapper)
                || Is(type, types.EntityFrameworkQueryableExtensions) || Is(type, types.RelationalDatabaseFacadeExtensions))
            {
                return true;
            }

            var receiver = call.Instance?.Type ?? type;
            if (TypeSymbols.IsOrDerives(receiver, types.Stream) || TypeSymbols.IsOrDerives(receiver, types.TextReader)
                || TypeSymbols.IsOrDerives(receiver, types.TextWriter) || TypeSymbols.IsOrDerives(receiver, types.BinaryReader))
            {
                return method.Name.StartsWith("Read", StringComparison.Ordinal) || method.Name.StartsWith("Write", StringComparison.Ordinal)
                    || method.Name.StartsWith("Copy", StringComparison.Ordinal);
            }

            return TypeSymbols.IsOrDerives(receiver, types.HttpMessageInvoker)
                || TypeSymbols.IsOrDerives(receiver, types.HttpContent)
                || TypeSymbols.IsOrDerives(receiver, types.DbConnection)
                || TypeSymbols.IsOrDerives(receiver, types.DbCommand)
                || TypeSymbols.IsOrDerives(receiver, types.IDbCommand)
                || TypeSymbols.IsOrDerives(receiver, types.DbDataReader)
                || (TypeSymbols.IsOrDerives(receiver, types.DbContext) && method.Name.StartsWith("SaveChanges", StringComparison.Ordinal));
        }

        /// <summary>
        /// An awaited call, or a blocking <c>.Result</c>/<c>.GetAwaiter().GetResult()</c>, on an application object held
        /// in a field, property or parameter: another service (a repository, an API client, a mediator). Framework
        /// types (HttpClient, streams, tasks, semaphores, loggers) are not services of the application.
        /// </summary>
        private static bool IsServiceCall(IInvocationOperation call)
        {
            if (!IsAwaitedOrBlockedOn(call) || call.Instance?.WalkDownConversion() is not { } receiver
                || receiver is not (IFieldReferenceOperation or IPropertyReferenceOperation or IParameterReferenceOperation))
            {
                return false;
            }

            return receiver.Type is { } type && !RecordLoop.IsFrameworkType(type);
        }

        private static string? UnboundCallOnMember(IOperation awaited)
        {
            awaited = awaited.WalkDownConversion();
            if (awaited is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } configured })
            {
                awaited = configured.WalkDownConversion();
            }

            if (awaited is not IInvalidOperation
                || awaited.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax
                {
                    Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Expression: not Microsoft.CodeAnalysis.CSharp.Syntax.ThisExpressionSyntax } access,
                })
            {
                return null;
            }

            // The receiver may still be bound (only an argument failed): a framework receiver is not a service.
            var receiver = awaited.Descendants().FirstOrDefault(o => o.Syntax == access.Expression);
            return receiver?.Type is { } type and not IErrorTypeSymbol && RecordLoop.IsFrameworkType(type) ? null : access.Name.Identifier.ValueText;
        }

        private static bool IsAwaitedOrBlockedOn(IInvocationOperation call)
        {
            IOperation current = call;
            while (current.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "GetAwaiter" } wrapper && wrapper.Instance == current)
            {
                current = wrapper;
            }

            return current.Parent is IAwaitOperation
                || current.Parent is IPropertyReferenceOperation { Property.Name: "Result" }
                || current.Parent is IInvocationOperation { TargetMethod.Name: "GetResult" or "Wait" };
        }

        private static bool Is(INamedTypeSymbol type, INamedTypeSymbol? expected)
            => expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);
    }
}
