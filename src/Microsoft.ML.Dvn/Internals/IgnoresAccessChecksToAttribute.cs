// Lets this assembly use ML.NET internals (ModelSaveContext.Writer, ModelLoadContext, VersionInfo,
// LoadableClassAttribute, SchemaShape.Column's constructor, ... in Microsoft.ML.Core; IInternalCatalog, which
// hands an extension its MLContext's environment, and the ONNX export interfaces (ITransformCanSaveOnnx, OnnxContext)
// in Microsoft.ML.Data; the ONNX model builder OnnxContextImpl in Microsoft.ML.OnnxConverter).
//
// The compiler sees publicized copies of these assemblies (build/Microsoft.ML.Dvn.Publicize.targets);
// at run time the real, unchanged assembly is loaded, and the runtime skips its visibility checks for
// calls from this assembly because of the attribute below. The runtime recognises the attribute by its
// full name; no framework assembly defines it, so every assembly that uses it declares its own copy.
//
// Keep ML.NET internal types out of this library's public API: consumers compile against the real dll.

[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.Data")]
[assembly: System.Runtime.CompilerServices.IgnoresAccessChecksTo("Microsoft.ML.OnnxConverter")]

namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Tells the runtime to skip visibility checks when this assembly accesses non-public types and
    /// members of the named assembly.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        /// <summary>Creates the attribute for the assembly with the given simple name.</summary>
        /// <param name="assemblyName">The simple name of the assembly, for example "Microsoft.ML.Core".</param>
        public IgnoresAccessChecksToAttribute(string assemblyName)
        {
            AssemblyName = assemblyName;
        }

        /// <summary>The simple name of the assembly whose access checks are skipped.</summary>
        public string AssemblyName { get; }
    }
}
