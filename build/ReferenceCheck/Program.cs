// Resolves, by name and signature, every type and member that an assembly compiled against one ML.NET release names
// in ML.NET's assemblies, against the assemblies of another release. The package is built against ML.NET 5.0.1 and
// uses ML.NET internals (through IgnoresAccessChecksTo, so access does not matter at run time, only existence and
// signature); a consumer on 6.0.0 runs it with 6.0.0's assemblies. An internal that a release renamed, removed or
// changed fails here, also on a code path that no test takes; the runtime would only fail when the JIT reaches it.
//
// Usage: Microsoft.ML.Dvn.ReferenceCheck <assembly.dll> <directory with the other release's ML.NET assemblies> ...
// Prints each reference it cannot resolve and a count; exits 1 when any is left unresolved.

using Mono.Cecil;

namespace Microsoft.ML.Dvn.Build.ReferenceCheck;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Microsoft.ML.Dvn.ReferenceCheck <assembly.dll> <directory of ML.NET assemblies> ...");
            return 2;
        }

        // Only the given directories and the running framework: never the assemblies beside the checked one.
        using var resolver = new DefaultAssemblyResolver();
        foreach (string directory in resolver.GetSearchDirectories())
            resolver.RemoveSearchDirectory(directory);
        foreach (string directory in args.Skip(1))
            resolver.AddSearchDirectory(directory);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);

        using var module = ModuleDefinition.ReadModule(args[0], new ReaderParameters { AssemblyResolver = resolver });
        string self = module.Assembly.Name.Name;
        var unresolved = new List<string>();
        var types = module.GetTypeReferences().Where(t => IsMlNet(ScopeOf(t), self)).ToList();
        foreach (var type in types)
            if (TryResolve(type.Resolve) is { } error)
                unresolved.Add($"type {type.FullName}: {error}");
        var members = module.GetMemberReferences().Where(m => IsMlNet(ScopeOf(m.DeclaringType), self)).ToList();
        foreach (var member in members)
            if (TryResolve(member.Resolve) is { } error)
                unresolved.Add($"member {member.FullName}: {error}");

        foreach (string line in unresolved)
            Console.WriteLine($"unresolved {line}");
        Console.WriteLine($"{module.Assembly.Name.Name}: {types.Count} types and {members.Count} members referenced in ML.NET, " +
            $"{unresolved.Count} unresolved in {string.Join(", ", args.Skip(1))}");
        return unresolved.Count == 0 ? 0 : 1;
    }

    // ML.NET's own assemblies (Microsoft.ML, .Core, .Data, .DataView, .OnnxConverter, ...), not ONNX Runtime's
    // (another product, versioned on its own) nor the checked assembly's.
    private static bool IsMlNet(IMetadataScope scope, string self) =>
        scope is AssemblyNameReference assembly
        && assembly.Name.StartsWith("Microsoft.ML", StringComparison.Ordinal)
        && !assembly.Name.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal)
        && assembly.Name != self;

    // A nested type's scope is its outermost declaring type's; a generic instance's is its definition's.
    private static IMetadataScope ScopeOf(TypeReference type)
    {
        type = type.GetElementType();
        while (type.DeclaringType != null)
            type = type.DeclaringType;
        return type.Scope;
    }

    private static string? TryResolve(Func<object?> resolve)
    {
        try
        {
            return resolve() == null ? "not found" : null;
        }
        catch (AssemblyResolutionException e)
        {
            return e.Message;
        }
    }
}
