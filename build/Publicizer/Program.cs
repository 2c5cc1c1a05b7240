// Writes a "publicized" copy of an assembly: every type, nested type, method and field becomes
// public, so that the C# compiler lets code use them. The copy is a compile-time reference only;
// at run time the real assembly is loaded, and the consuming assembly declares
// [assembly: IgnoresAccessChecksTo("<name>")] so that the runtime allows the access.
//
// Usage: Microsoft.ML.Dvn.Publicizer <input.dll> <output.dll> [<directory of a dependency> ...]
// (an assembly whose references are not beside it, such as Microsoft.ML.OnnxConverter, which references
// Microsoft.ML.Core from another package, needs its dependencies' directories to be read and written.)
//
// Kept as it is: the assembly name, version, culture and public key (so the compiled code binds to
// the real, signed assembly at run time); readonly/static/literal flags; method bodies.
// Not publicized, on purpose:
//  - compiler-generated types and members (names with '<', [CompilerGenerated] types such as the
//    embedded NullableAttribute or EmbeddedAttribute): making them public would only clash with
//    the consumer's own copies;
//  - explicit interface implementations (private virtual methods that carry an .override): they are
//    reached through the interface, and public ones would confuse the compiler;
//  - fields that back a field-like event (same name as the event): public, they would make every
//    use of the event ambiguous;
//  - protected / protected internal virtual methods: they become (or stay) protected, so that a
//    subclass overrides them with `protected override`, exactly as it must against the real
//    assembly. Internal, private protected and private virtual methods become public (no external
//    subclass could override them before; an override of one would have to be `public override`).
// The strong-name-signed flag is cleared: the copy carries no valid signature, and the compiler
// does not need one.

using Mono.Cecil;

namespace Microsoft.ML.Dvn.Build.Publicizer;

internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: Microsoft.ML.Dvn.Publicizer <input.dll> <output.dll> [<dependency directory> ...]");
            return 2;
        }

        string input = Path.GetFullPath(args[0]);
        string output = Path.GetFullPath(args[1]);
        try
        {
            var counts = Publicize(input, output, args[2..]);
            Console.WriteLine(
                $"Publicized {Path.GetFileName(input)}: {counts.Types} types, {counts.Methods} methods, {counts.Fields} fields made accessible -> {output}");
            return 0;
        }
        catch (Exception e)
        {
            // MSBuild's Exec shows this line as an error.
            Console.Error.WriteLine($"error DVNPUB01: could not publicize {input}: {e.Message}");
            return 1;
        }
    }

    private readonly record struct Counts(int Types, int Methods, int Fields);

    private static Counts Publicize(string input, string output, string[] dependencyDirectories)
    {
        using var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(input)!);
        foreach (var directory in dependencyDirectories)
            resolver.AddSearchDirectory(directory);
        var readerParameters = new ReaderParameters
        {
            AssemblyResolver = resolver,
            InMemory = true, // the input file is not kept open (nor locked) while the output is written
            ReadingMode = ReadingMode.Immediate,
            ReadSymbols = false,
        };

        using var assembly = AssemblyDefinition.ReadAssembly(input, readerParameters);
        int types = 0, methods = 0, fields = 0;
        foreach (var module in assembly.Modules)
        {
            module.Attributes &= ~ModuleAttributes.StrongNameSigned;
            foreach (var type in AllTypes(module.Types))
            {
                if (IsCompilerGenerated(type))
                    continue;
                if (MakeTypePublic(type))
                    types++;
                foreach (var method in type.Methods)
                {
                    if (MakeMethodAccessible(method))
                        methods++;
                }
                var eventNames = new HashSet<string>(type.Events.Select(e => e.Name), StringComparer.Ordinal);
                foreach (var field in type.Fields)
                {
                    if (field.IsPublic || IsCompilerGeneratedName(field.Name) || eventNames.Contains(field.Name))
                        continue;
                    field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | FieldAttributes.Public;
                    fields++;
                }
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        // Write next to the target and move into place, so an interrupted run never leaves a
        // truncated file that looks up to date to MSBuild's incremental check.
        string temp = output + "." + Environment.ProcessId + ".tmp";
        try
        {
            assembly.Write(temp, new WriterParameters { WriteSymbols = false });
            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
        return new Counts(types, methods, fields);
    }

    private static IEnumerable<TypeDefinition> AllTypes(IEnumerable<TypeDefinition> types)
    {
        foreach (var type in types)
        {
            yield return type;
            foreach (var nested in AllTypes(type.NestedTypes))
                yield return nested;
        }
    }

    private static bool IsCompilerGeneratedName(string name) => name.Contains('<');

    private static bool IsCompilerGenerated(TypeDefinition type) =>
        IsCompilerGeneratedName(type.Name)
        || type.CustomAttributes.Any(a =>
            a.AttributeType.FullName is "System.Runtime.CompilerServices.CompilerGeneratedAttribute"
                or "Microsoft.CodeAnalysis.EmbeddedAttribute");

    private static bool MakeTypePublic(TypeDefinition type)
    {
        var wanted = type.IsNested ? TypeAttributes.NestedPublic : TypeAttributes.Public;
        if ((type.Attributes & TypeAttributes.VisibilityMask) == wanted)
            return false;
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | wanted;
        return true;
    }

    private static bool MakeMethodAccessible(MethodDefinition method)
    {
        if (method.IsPublic || IsCompilerGeneratedName(method.Name))
            return false;
        // Explicit interface implementation: private, final, with an .override entry.
        if (method.IsPrivate && method.IsVirtual && method.HasOverrides)
            return false;

        MethodAttributes wanted;
        bool overridable = method.IsVirtual && !method.IsFinal && !method.DeclaringType.IsInterface;
        if (overridable && (method.IsFamily || method.IsFamilyOrAssembly))
            wanted = MethodAttributes.Family; // `protected override` keeps compiling, as against the real assembly
        else
            wanted = MethodAttributes.Public;

        if ((method.Attributes & MethodAttributes.MemberAccessMask) == wanted)
            return false;
        method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | wanted;
        return true;
    }
}
