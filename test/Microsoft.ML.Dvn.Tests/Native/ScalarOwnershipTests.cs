using System.Reflection;
using System.Reflection.Emit;
using TorchSharp;

namespace Microsoft.ML.Dvn.Tests.Native;

/// <summary>
/// The library hands libtorch no Scalar that nothing owns. TorchSharp turns numbers into temporary Scalars implicitly
/// (<c>tensor * 0.5</c>, <c>tensor.fill_(1)</c>, and inside <c>a + b</c>, which adds with alpha 1) and passes their
/// native handles on; a garbage collection during the native call can finalize the Scalar and free the value libtorch
/// is reading (see AdamOptimizer's remarks). The check reads the library's IL: no method may convert a number to a
/// Scalar implicitly, nor call a TorchSharp method that does so on its way to libtorch.
/// </summary>
[TestClass]
public sealed class ScalarOwnershipTests
{
    // How deep calls into TorchSharp are followed: operator + calls add(Tensor), which calls add(Tensor, Scalar) with 1.
    private const int TorchSharpDepth = 3;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [TestMethod]
    public void NoLibraryMethodHandsLibtorchAScalarThatNothingOwns()
    {
        var torchSharp = typeof(Scalar).Assembly;
        var unowned = new Dictionary<MethodBase, bool>();
        var offenders = new List<string>();
        foreach (var type in typeof(DvnEstimator).Assembly.GetTypes())
            foreach (var method in Methods(type))
                foreach (var callee in Callees(method))
                    if (IsImplicitScalar(callee) || (callee.Module.Assembly == torchSharp && CreatesUnownedScalar(callee, TorchSharpDepth, unowned)))
                        offenders.Add($"{type.FullName}.{method.Name} calls {callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})");

        Assert.AreEqual(0, offenders.Count,
            "Create Scalars with ToScalar() in a using and pass them explicitly (e.g. add(b, alpha: one) instead of a + b):\n" +
            string.Join("\n", offenders.Distinct().Order()));
    }

    [TestMethod]
    public void TheCheckFindsTheImplicitScalarsOfTorchSharpsOwnAdam()
    {
        // The check itself can fail: TorchSharp's Adam.step converts 1 - beta2 and the step size implicitly.
        var adam = typeof(Scalar).Assembly.GetType("TorchSharp.Modules.Adam", throwOnError: true)!;
        // step's body is a lambda: a method of Adam or of a closure class nested in it.
        var lambdas = Methods(adam).Concat(adam.GetNestedTypes(BindingFlags.NonPublic).SelectMany(Methods))
            .Where(m => m.Name.Contains("<step>", StringComparison.Ordinal)).ToList();
        Assert.IsTrue(lambdas.Count > 0, "Adam.step's body was not found");
        Assert.IsTrue(lambdas.Any(m => Callees(m).Any(IsImplicitScalar)), "the IL reader missed Adam.step's implicit Scalars");
    }

    private static bool IsImplicitScalar(MethodBase method) =>
        method.Name == "op_Implicit" && method is MethodInfo info && info.ReturnType == typeof(Scalar);

    private static bool CreatesUnownedScalar(MethodBase method, int depth, Dictionary<MethodBase, bool> known)
    {
        if (known.TryGetValue(method, out bool result))
            return result;
        known[method] = false; // recursion guard
        result = Callees(method).Any(c => IsImplicitScalar(c)
            || (depth > 1 && c.Module.Assembly == method.Module.Assembly && CreatesUnownedScalar(c, depth - 1, known)));
        known[method] = result;
        return result;
    }

    private static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Cast<MethodBase>()
            .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));

    // The methods a method's IL calls (call, callvirt, newobj, ldftn), read opcode by opcode.
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or BadImageFormatException)
        {
            yield break;
        }
        if (il is null)
            yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var opCode = OpCodesByValue[value];
            i += opCode.Size;
            int operand = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (opCode.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMethodException)
                {
                }
                if (callee is not null)
                    yield return callee;
            }
            i += operand;
        }
    }
}
