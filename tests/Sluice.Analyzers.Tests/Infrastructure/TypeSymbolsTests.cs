using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Sluice.Analyzers.Infrastructure;
using Xunit;

namespace Sluice.Analyzers.Tests.Infrastructure;

public sealed class TypeSymbolsTests
{
    private static readonly Compilation Compilation = CSharpCompilation.Create(
        "Namespaces",
        [CSharpSyntaxTree.ParseText("namespace Outer.Inner.Deepest { class C { } } namespace Inner { class D { } } class E { }")],
        [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]);

    private static INamespaceSymbol NamespaceOf(string metadataName) => Compilation.GetTypeByMetadataName(metadataName)!.ContainingNamespace;

    [Theory]
    [InlineData("Outer.Inner.Deepest.C", "Outer.Inner.Deepest", true)]
    [InlineData("Outer.Inner.Deepest.C", "Inner.Deepest", false)]
    [InlineData("Outer.Inner.Deepest.C", "Outer.Inner", false)]
    [InlineData("Outer.Inner.Deepest.C", "Outer.Inner.Deepest.More", false)]
    [InlineData("Outer.Inner.Deepest.C", "Outer.Inner.Deeper", false)]
    [InlineData("Outer.Inner.Deepest.C", "Outer.Inner_Deepest", false)]
    [InlineData("Inner.D", "Inner", true)]
    [InlineData("Inner.D", "Outer.Inner", false)]
    [InlineData("E", "E", false)]
    public void A_namespace_matches_only_its_whole_dotted_name(string type, string dottedName, bool expected)
        => Assert.Equal(expected, TypeSymbols.IsNamespace(NamespaceOf(type), dottedName));

    [Fact]
    public void A_namespace_from_metadata_matches_as_one_from_source()
    {
        var generic = Compilation.GetTypeByMetadataName("System.Collections.Generic.List`1")!.ContainingNamespace;

        Assert.True(TypeSymbols.IsNamespace(generic, "System.Collections.Generic"));
        Assert.False(TypeSymbols.IsNamespace(generic, "System.Collections"));
        Assert.True(TypeSymbols.IsNamespaceOrNested(generic, "System.Collections"));
        Assert.True(TypeSymbols.IsNamespaceOrNested(generic, "System"));
        Assert.False(TypeSymbols.IsNamespaceOrNested(generic, "System.Linq"));
    }

    [Fact]
    public void No_namespace_matches_nothing()
        => Assert.False(TypeSymbols.IsNamespace(null, "System"));
}
