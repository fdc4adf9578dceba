using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Sluice.CodeFixes.Infrastructure;

/// <summary>
/// Names the fixes write in full (<c>global::System.TimeSpan</c>) for the simplifier to shorten against the file's
/// usings. A type in a type position is a qualified name; a type a member is read from is written as the member-access
/// chain the parser would make of the same text, so a fixed document's tree is the tree of its text.
/// </summary>
internal static class FullNames
{
    /// <summary>A type in a type position (a declaration, <c>new T(...)</c>).</summary>
    public static TypeSyntax Type(string fullName)
        => SyntaxFactory.ParseTypeName("global::" + fullName).WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary><c>Type.Member</c>.</summary>
    public static MemberAccessExpressionSyntax Member(string typeFullName, string member)
        => SyntaxFactory.MemberAccessExpression(
            SyntaxKind.SimpleMemberAccessExpression,
            SyntaxFactory.ParseExpression("global::" + typeFullName).WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.IdentifierName(member));
}
