namespace Microsoft.ML.Dvn.Tests.TestData;

/// <summary>Assertions about argument errors.</summary>
internal static class ArgumentAssert
{
    /// <summary>The call throws exactly <typeparamref name="T"/> naming <paramref name="parameter"/>, with exactly <paramref name="message"/>.</summary>
    public static void Refuses<T>(Action call, string parameter, string message) where T : ArgumentException
    {
        var error = Assert.ThrowsExactly<T>(call);
        Assert.AreEqual(parameter, error.ParamName);
        Assert.AreEqual($"{message} (Parameter '{parameter}')", error.Message);
    }

    /// <inheritdoc cref="Refuses{T}(Action, string, string)"/>
    public static void Refuses<T>(Func<object> call, string parameter, string message) where T : ArgumentException =>
        Refuses<T>(() => { call(); }, parameter, message);
}
