package io.entwine.http.server;

import io.entwine.credentials.ClientCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTPS listener's TLS: the node's PEM certificate chain and private key (PKCS#8, or PKCS#1 RSA
 * as older openssl writes it), and client certificates requested but judged later. Which CA a
 * client certificate must chain to depends on the tenant its issuer names, which only the routes
 * know ({@link ClientCertificates}); the handshake itself still proves that the client holds the
 * certificate's private key.
 */
final class ServerTls {
  private static final Pattern PEM_KEY =
      Pattern.compile(
          "-----BEGIN (RSA |EC )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1?PRIVATE KEY-----");
  private static final char[] IN_MEMORY = new char[0];
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ServerTls() {}

  static SSLContext context(HttpsSettings settings) throws IOException, GeneralSecurityException {
    List<X509Certificate> chain =
        ClientCertificates.parsePem(Files.readString(settings.certFile()));
    PrivateKey key = privateKey(settings.keyFile());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("entwine", key, IN_MEMORY, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, IN_MEMORY);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), new TrustManager[] {new AnyClientCertificate()}, null);
    return context;
  }

  /** A server engine that asks for, but does not require, a client certificate. */
  static SSLEngine engine(SSLContext context) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setWantClientAuth(true);
    return engine;
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    Matcher pem = PEM_KEY.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    if (!pem.find()) {
      throw new InvalidKeySpecException(
          file + " holds no unencrypted PEM private key (BEGIN PRIVATE KEY or RSA PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
    if ("RSA ".equals(pem.group(1))) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(rsaPkcs8(der)));
    }
    if ("EC ".equals(pem.group(1))) {
      throw new InvalidKeySpecException(
          file + ": convert the EC key to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        // not this algorithm; try the next
      }
    }
    throw new InvalidKeySpecException(file + " holds no RSA, EC or Ed25519 private key");
  }

  /** PKCS#1 RSAPrivateKey wrapped as PKCS#8: version 0, rsaEncryption with NULL parameters. */
  private static byte[] rsaPkcs8(byte[] pkcs1) {
    byte[] algorithm = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(derTagged(0x04, pkcs1));
    return derTagged(0x30, body.toByteArray());
  }

  private static byte[] derTagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /**
   * Lets every client certificate through the handshake; the Hono routes validate it against the
   * trusted CA of the tenant its issuer names, and every other route ignores it.
   */
  private static final class AnyClientCertificate extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("A server does not judge server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
