using System.Text;

namespace MtaSts.MailKit.Tests.Delivery;

/// <summary>
/// The session transport's plaintext guard under <c>enforce</c> (issue-8 rule 1, made structural): every way it says no.
/// </summary>
public sealed class SessionTransportTests
{
    [Theory]
    [InlineData("EHLO sender.test\r\n")]
    [InlineData("HELO sender.test\r\n")]
    [InlineData("STARTTLS\r\n")]
    [InlineData("QUIT\r\n")]
    [InlineData("ehlo sender.test\r\n")]
    public async Task WriteAsync_AllowedCommandBeforeTls_Written(string command)
    {
        var inner = new MemoryStream();
        await using var sut = new SessionTransport(inner, tlsRequired: true, () => { });

        await sut.WriteAsync(Encoding.ASCII.GetBytes(command));

        Assert.Equal(command, Encoding.ASCII.GetString(inner.ToArray()));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example>\r\n")]
    [InlineData("RCPT TO:<a@b.example>\r\n")]
    [InlineData("DATA\r\n")]
    [InlineData("BDAT 10 LAST\r\n")]
    [InlineData("RSET\r\n")]
    [InlineData("EHLO sender.test\r\nMAIL FROM:<a@b.example>\r\n")]
    [InlineData("EHLO sender.test")]
    [InlineData("Subject: secret\r\n")]
    public async Task WriteAsync_AnythingElseBeforeTls_RefusedAndNothingWritten(string data)
    {
        var inner = new MemoryStream();
        await using var sut = new SessionTransport(inner, tlsRequired: true, () => { });

        await Assert.ThrowsAsync<PlaintextRefusedException>(() => sut.WriteAsync(Encoding.ASCII.GetBytes(data)).AsTask());
        Assert.Throws<PlaintextRefusedException>(() => sut.Write(Encoding.ASCII.GetBytes(data), 0, data.Length));
        Assert.Equal(0, inner.Length);
    }

    [Fact]
    public async Task WriteAsync_OverlongLineBeforeTls_Refused()
    {
        await using var sut = new SessionTransport(new MemoryStream(), tlsRequired: true, () => { });

        var line = "EHLO " + new string('a', 600) + "\r\n";

        await Assert.ThrowsAsync<PlaintextRefusedException>(() => sut.WriteAsync(Encoding.ASCII.GetBytes(line)).AsTask());
    }

    [Fact]
    public async Task WriteAsync_AfterStartTls_OnlyTlsRecordsWritten()
    {
        var inner = new MemoryStream();
        await using var sut = new SessionTransport(inner, tlsRequired: true, () => { });
        await sut.WriteAsync(Encoding.ASCII.GetBytes("STARTTLS\r\n"));
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5];

        await sut.WriteAsync(clientHello);

        await Assert.ThrowsAsync<PlaintextRefusedException>(() => sut.WriteAsync(Encoding.ASCII.GetBytes("MAIL FROM:<a@b.example>\r\n")).AsTask());
        await Assert.ThrowsAsync<PlaintextRefusedException>(() => sut.WriteAsync(new byte[] { 0x16, 0x02, 0x00 }).AsTask());
        Assert.Equal(10 + "STARTTLS\r\n".Length, inner.Length);
    }

    [Fact]
    public async Task WriteAsync_TlsNotRequired_AnythingWritten()
    {
        var inner = new MemoryStream();
        await using var sut = new SessionTransport(inner, tlsRequired: false, () => { });

        await sut.WriteAsync(Encoding.ASCII.GetBytes("MAIL FROM:<a@b.example>\r\n"));

        Assert.Equal(25, inner.Length);
    }

    [Fact]
    public async Task ReadAndWrite_EveryCall_RearmsTheInactivityTimer()
    {
        var activity = 0;
        var inner = new MemoryStream();
        inner.Write(Encoding.ASCII.GetBytes("220 ok\r\n"));
        inner.Position = 0;
        await using var sut = new SessionTransport(inner, tlsRequired: false, () => activity++);

        _ = await sut.ReadAsync(new byte[16]);
        await sut.WriteAsync(Encoding.ASCII.GetBytes("EHLO a.example\r\n"));

        Assert.Equal(2, activity);
    }
}
